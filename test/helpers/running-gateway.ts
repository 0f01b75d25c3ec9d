import type { Logger } from 'pino';
import pino from 'pino';
import { extractAttachments, parseMail } from '../../src/inbound/parse-mail.js';
import type { ParsedMail } from '../../src/inbound/parsed-mail.js';
import type { Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { eventually } from './eventually.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './smtp-sink.js';
import { testConfig } from './test-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** A mail as its recipient's mail client shows it: parsed, with its files. */
export interface ReadMail {
  mail: ParsedMail;
  files: { filename: string | null; contentType: string; content: Buffer }[];
}

export interface RunningGatewayOptions {
  /** Staff (config `people`); default: the built-in test people. */
  people?: readonly { address: string; name: string; role: string; language: string }[];
  /** Further config keys (limits, clients, sla); mailboxes, smtp, http and outbox are this helper's. */
  overrides?: Record<string, unknown>;
  /** The gateway's clock: a test moves it to make deadlines pass (default: the wall clock). */
  clock?: () => Date;
  logger?: Logger;
  /** Mail that waits in the mailboxes before the gateway starts (a backlog it finds at start-up). */
  beforeStart?: (dovecot: Dovecot) => Promise<void>;
}

/**
 * A gateway running in this process against real Dovecot (support and management mailboxes),
 * PostgreSQL and an SMTP sink, with the short timeouts a test needs: what the end-to-end tests
 * of a day by mail share. `config` is the config it runs with; `overrides` (the config keys
 * without the servers' ports and the test-only timings) are what a CLI run against the same
 * database needs (writeTestConfig).
 */
export interface RunningGateway {
  dovecot: Dovecot;
  sink: SmtpSink;
  database: TestDatabase;
  gateway: Gateway;
  config: Config;
  overrides: Record<string, unknown>;
  /** Everything the gateway's config was made of besides the built-in defaults (servers and timings too). */
  input: Record<string, unknown>;
  /** A client's or an agent's mail lands in a mailbox's INBOX, as their MTA would put it. */
  deliver(raw: Buffer, mailbox?: 'support' | 'management'): Promise<void>;
  /** What one address received so far, in the order the sink accepted it. */
  mailsTo(address: string): Promise<ReadMail[]>;
  /** The first mail to `address` that `pick` accepts, waited for (30 s by default: a busy machine). */
  waitFor(address: string, what: string, pick: (m: ReadMail) => boolean, timeoutMs?: number): Promise<ReadMail>;
  close(): Promise<void>;
}

export async function read(m: ReceivedMail): Promise<ReadMail> {
  const raw = Buffer.from(m.raw);
  const mail = await parseMail(raw, { maxTextChars: 100_000 });
  const files = await extractAttachments(raw, new Set(mail.attachments.map((_, i) => i)));
  return { mail, files };
}

export async function startRunningGateway(options: RunningGatewayOptions = {}): Promise<RunningGateway> {
  const dovecot = await startDovecot({ users: ['support', 'management'] });
  const sink = await startSmtpSink();
  const database = await createTestDatabase();
  const imap = (user: string) => ({
    host: dovecot.host, port: dovecot.port, secure: false, user, password: dovecot.password(user),
    backoffInitialMs: 50, backoffMaxMs: 1000, socketTimeoutMs: 10_000, maxIdleTimeMs: 10_000,
  });
  const overrides: Record<string, unknown> = {
    mailboxes: {
      support: { address: 'support@sanarise.example', name: 'Sanarise Destek', imap: imap('support') },
      management: { address: 'management@sanarise.example', name: 'Sanarise Yönetim', imap: imap('management') },
    },
    ...(options.people ? { people: options.people } : {}),
    ...options.overrides,
  };
  const input = {
    ...overrides,
    smtp: { host: sink.host, port: sink.port, secure: false, tlsRejectUnauthorized: false },
    http: { port: 0 },
    outbox: { pollIntervalMs: 50, backoffInitialMs: 100, backoffMaxMs: 1000, leaseMs: 10_000 },
  };
  const config = testConfig(database.url, input);
  await options.beforeStart?.(dovecot);
  const gateway = await startGateway(config, { logger: options.logger ?? pino({ level: 'silent' }), ...(options.clock ? { clock: options.clock } : {}) });

  const mailsTo = async (address: string) => Promise.all(sink.accepted.filter((m) => m.to.includes(address)).map(read));
  return {
    dovecot, sink, database, gateway, config, overrides, input,
    // Arrival on the gateway's clock: the first-response clock starts at the INTERNALDATE.
    deliver: (raw, mailbox = 'support') => dovecot.append(mailbox, 'INBOX', raw, options.clock ? { internalDate: options.clock() } : {}),
    mailsTo,
    async waitFor(address, what, pick, timeoutMs = 30_000) {
      let found: ReadMail | undefined;
      await eventually(async () => {
        found = (await mailsTo(address)).find(pick);
        return found !== undefined;
      }, timeoutMs, what);
      return found!;
    },
    async close() {
      await gateway.close();
      await dovecot.stop();
      await sink.close();
      await database.drop();
    },
  };
}
