import type { Config } from '../../src/config.js';
import type { Dovecot } from '../../test/helpers/dovecot.js';
import type { SmtpSink } from '../../test/helpers/smtp-sink.js';
import { testConfig } from '../../test/helpers/test-config.js';

/**
 * The gateway's production defaults pointed at the bench's Dovecot user and SMTP sink. Only a
 * manager is on staff: a new team ticket then sends exactly one mail (its acknowledgement), which
 * is the work the raw-library baseline does too.
 */
export function benchConfigInput(options: {
  databaseUrl: string; dovecot: Dovecot; user: string; sink: SmtpSink; overrides?: Record<string, unknown>;
  /** Extra keys for the support mailbox's imap settings. */
  imap?: Record<string, unknown>;
}): Record<string, unknown> {
  const { dovecot, user, sink } = options;
  return {
    database: { url: options.databaseUrl },
    tokenSecret: 'bench-token-secret-0123456789',
    people: [{ address: 'manager@sanarise.example', name: 'Can Öztürk', role: 'manager', language: 'tr' }],
    mailboxes: {
      support: {
        address: 'support@sanarise.example', name: 'Sanarise Destek',
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user, password: dovecot.password(user), ...options.imap },
      },
      management: { address: 'management@sanarise.example', name: 'Sanarise Yönetim' },
    },
    smtp: { host: sink.host, port: sink.port, secure: false },
    http: { host: '127.0.0.1', port: 0 },
    ...options.overrides,
    // A bench backlog is thousands of new tickets within minutes: past the production defaults of the
    // backscatter guards (limits.ackGlobalPerHour, limits.ackPerDomainCap) the gateway rightly stops
    // acknowledging, and a bench that waits for every acknowledgement would wait forever. The team
    // flood list (limits.teamFloodThreshold) is raised too, so the bench sends as many mails as before.
    limits: { ackGlobalPerHour: 1_000_000, ackPerDomainCap: 1_000_000, teamFloodThreshold: 1_000_000, ...(options.overrides?.limits as Record<string, unknown> | undefined) },
  };
}

export function benchConfig(options: {
  database: { url: string }; dovecot: Dovecot; user: string; sink: SmtpSink; overrides?: Record<string, unknown>; imap?: Record<string, unknown>;
}): Config {
  const input = benchConfigInput({ ...options, databaseUrl: options.database.url });
  return testConfig(options.database.url, input);
}
