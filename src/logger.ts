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
 *
 * Written synchronously. pino's default destination writes in the background and, at exit,
 * flushes what is queued with sonic-boom's flushSync, which retries a write that failed for good
 * (EPIPE: whoever read stderr has gone, a `| head`, a log shipper that died) every 100 ms for
 * ever, inside process.exit: the gateway then neither exits nor answers SIGTERM
 * (test/integration/logger-broken-pipe.test.ts). Written synchronously, a line is on its way
 * before the call returns, a fatal line before process.exit, and after an EPIPE pino stops
 * logging instead.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'slagate',
    level: options.level ?? 'info',
    serializers: { err: serializeError },
    redact: {
      paths: ['password', '*.password', '*.*.password', 'auth.pass', '*.auth.pass', 'tokenSecret', '*.tokenSecret', 'raw', '*.raw'],
      censor: '[redacted]',
    },
  }, pino.destination({ dest: 2, sync: true }));
}
