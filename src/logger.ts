import pino, { type Logger } from 'pino';
import { describeError } from './errors.js';

/**
 * Errors as logged: type, code, a safe message and the stack frames. Not pino's standard
 * serializer, which copies every property and the message: drizzle's query errors carry the
 * query parameters (mail text, raw bytes, private-ticket content) in both.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: describeError(err) };
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 15).join('\n');
  const code = (err as { code?: unknown }).code;
  const retryable = (err as { retryable?: unknown }).retryable;
  return {
    type: err.constructor?.name ?? 'Error',
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof retryable === 'boolean' ? { retryable } : {}),
    message: describeError(err),
    stack: frames,
  };
}

/**
 * JSON logs with stable keys on stderr (stdout belongs to command output). Secrets are redacted
 * wherever they appear in a logged object; errors go through `serializeError`.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'slagate',
    level: options.level ?? 'info',
    serializers: { err: serializeError },
    redact: {
      paths: ['password', '*.password', '*.*.password', 'auth.pass', '*.auth.pass', 'tokenSecret', '*.tokenSecret', 'privateKey', '*.privateKey', '*.*.privateKey', 'raw', '*.raw'],
      censor: '[redacted]',
    },
  }, logDestination());
}

/**
 * process.stderr itself, not pino.destination(2). pino's destination (sonic-boom) at exit flushes
 * what is still queued with a loop that retries a write failed for good (EPIPE: whoever read
 * stderr is gone, `2>&1 | head`, a log shipper that died) every 100 ms for ever, inside
 * process.exit, so the process neither exits nor hears SIGTERM; and written synchronously instead,
 * a reader that merely stalls (a paused pager, a slow log driver) stops the event loop, IMAP and
 * timers included. Node's stream writes what the pipe takes at once and queues the rest without
 * blocking, and has no exit flush. After an error (EPIPE) lines are dropped: nothing is left to
 * report it to, and mail keeps flowing (test/integration/logger-broken-pipe.test.ts).
 */
function logDestination(): NodeJS.WritableStream {
  const stderr = process.stderr;
  if (!stderr.listeners('error').includes(dropStderrError)) stderr.on('error', dropStderrError);
  return stderr;
}

function dropStderrError(): void {}
