import pino, { type Logger } from 'pino';

/**
 * JSON logs with stable keys on stderr (stdout belongs to command output). Secrets are redacted
 * wherever they appear in a logged object.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'slagate',
    level: options.level ?? 'info',
    redact: {
      paths: ['password', '*.password', '*.*.password', 'auth.pass', '*.auth.pass', 'tokenSecret', '*.tokenSecret', 'raw', '*.raw'],
      censor: '[redacted]',
    },
  }, pino.destination(2));
}
