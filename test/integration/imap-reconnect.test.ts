import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createMailboxWorker, type MailboxWorker, type MailboxWorkerDeps } from '../../src/workers/mailbox-worker.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { eventually } from '../helpers/eventually.js';
import { makeMail } from '../helpers/imap-client.js';
import { ingestDouble } from '../helpers/ingest-double.js';
import { oneAtATime } from '../helpers/one-at-a-time-intake.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Broken links between the gateway and Dovecot, made on purpose through a proxy. */

const logger = pino({ level: process.env.SLAGATE_TEST_LOG ?? 'silent' });
let dovecot: Dovecot;
let proxy: TcpProxy;
let database: TestDatabase;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['reset', 'blackhole', 'twins', 'badauth', 'shutdown'] });
  proxy = await startTcpProxy({ host: dovecot.host, port: dovecot.port });
});
afterAll(async () => {
  await proxy?.close();
  await dovecot?.stop();
});

function worker(user: string, db: TestDatabase, extra: Partial<MailboxWorkerDeps> = {}, imap: Record<string, unknown> = {}): MailboxWorker {
  const config = parseConfig({
    database: { url: db.url },
    mailboxes: {
      support: {
        address: 'support@sanarise.example',
        imap: {
          host: proxy.host, port: proxy.port, secure: false, user, password: dovecot.password(user),
          backoffInitialMs: 50, backoffMaxMs: 500, socketTimeoutMs: 5000, maxIdleTimeMs: 5000, resyncIntervalMs: 60_000,
          ...imap,
        },
      },
      management: { address: 'management@sanarise.example' },
    },
  });
  return createMailboxWorker({
    db: db.db, config, mailbox: 'support', logger, clock: () => new Date(), owner: 'reconnect-test',
    intake: ingestDouble(db.db).intake, leaseTtlMs: 3000, ...extra,
  });
}

async function rows(db: TestDatabase): Promise<{ rows: number; distinct: number }> {
  const [r] = await db.db.execute(sql`select count(*)::int as rows, count(distinct message_id)::int as distinct from raw_mail`) as unknown as { rows: number; distinct: number }[];
  return r!;
}

describe('mailbox worker over a broken link', () => {
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('recovers from a connection reset in the middle of a backlog, losing and duplicating nothing', async () => {
    await database.db.execute(sql`truncate raw_mail, mailbox_checkpoints, leases`);
    dovecot.deliverToMaildir('reset', Array.from({ length: 300 }, (_, i) => makeMail(`reset-${i}`)));
    const w = worker('reset', database);
    await w.start();
    try {
      await eventually(async () => (await rows(database)).rows >= 60, 20_000, '60 rows');
      const acceptedBefore = proxy.accepted;
      proxy.resetAll();
      const t0 = Date.now();
      await eventually(async () => (await rows(database)).rows === 300, 30_000, '300 rows');
      console.log(`reset mid-backlog: finished ${Date.now() - t0} ms after the reset, reconnections: ${proxy.accepted - acceptedBefore}`);
      expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
      expect(await rows(database)).toEqual({ rows: 300, distinct: 300 });
    } finally {
      await w.close();
    }
  });

  it('notices a half-open (blackholed) link through its timeouts and fetches what arrived meanwhile', async () => {
    await database.db.execute(sql`truncate raw_mail, mailbox_checkpoints, leases`);
    const w = worker('blackhole', database);
    await w.start();
    try {
      await eventually(() => w.sessions === 1, 10_000, 'first session');
      proxy.blackhole(true);
      const t0 = Date.now();
      await dovecot.append('blackhole', 'INBOX', [makeMail('bh-1'), makeMail('bh-2')]);
      await eventually(async () => (await rows(database)).rows === 2, 25_000, 'two rows after the silent link');
      console.log(`half-open link: mail ingested ${Date.now() - t0} ms after the link went silent (socketTimeout 5 s)`);
      // The rows are written by the new session's first pass, which counts itself once the pass ends.
      await eventually(() => w.sessions >= 2, 5000, 'a second session');
    } finally {
      proxy.blackhole(false);
      await w.close();
    }
  });

  it('lets exactly one of two workers poll a mailbox; the other takes over when it stops', async () => {
    await database.db.execute(sql`truncate raw_mail, mailbox_checkpoints, leases`);
    const calls: number[] = [];
    const real = ingestDouble(database.db);
    const counting = { intake: oneAtATime((input) => { calls.push(input.imap!.uid); return real.ingest(input); }, real.quarantineOversized) };
    const a = worker('twins', database, { owner: 'a', ...counting });
    const b = worker('twins', database, { owner: 'b', ...counting });
    await a.start();
    await b.start();
    try {
      await eventually(() => a.holdsLease || b.holdsLease, 10_000, 'a lease holder');
      await dovecot.append('twins', 'INBOX', Array.from({ length: 40 }, (_, i) => makeMail(`twin-${i}`)));
      await eventually(async () => (await rows(database)).rows === 40, 20_000, '40 rows');
      expect([a.holdsLease, b.holdsLease].filter(Boolean)).toHaveLength(1);
      expect(calls).toHaveLength(40);
      const [holder, other] = a.holdsLease ? [a, b] : [b, a];
      await holder.close();
      await eventually(() => other.holdsLease, 10_000, 'takeover after release');
      await dovecot.append('twins', 'INBOX', makeMail('twin-after'));
      await eventually(async () => (await rows(database)).rows === 41, 10_000, '41 rows');
      expect(calls).toHaveLength(41);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('backs off on refused credentials with a clear IMAP_AUTH log instead of a tight loop', async () => {
    const lines: { code?: string; msg?: string; retryInMs?: number }[] = [];
    const capture = pino({ level: 'warn' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
    const acceptedBefore = proxy.accepted;
    const w = worker('badauth', database, { logger: capture }, { password: 'wrong', backoffMaxMs: 60_000 });
    await w.start();
    try {
      await eventually(() => lines.some((l) => l.code === 'IMAP_AUTH'), 10_000, 'an IMAP_AUTH log line');
      const attempts = proxy.accepted - acceptedBefore;
      expect(attempts).toBe(1); // the next try waits backoffMaxMs (60 s), not milliseconds
      expect(lines.find((l) => l.code === 'IMAP_AUTH')).toMatchObject({ msg: expect.stringMatching(/credentials/), retryInMs: 60_000 });
    } finally {
      await w.close();
    }
  });

  it('closes promptly in the middle of a backlog, and the next worker carries on where it stopped', async () => {
    await database.db.execute(sql`truncate raw_mail, mailbox_checkpoints, leases`);
    dovecot.deliverToMaildir('shutdown', Array.from({ length: 300 }, (_, i) => makeMail(`stop-${i}`)));
    const first = worker('shutdown', database, { owner: 'first' });
    await first.start();
    await eventually(async () => (await rows(database)).rows >= 30, 20_000, '30 rows');
    const t0 = Date.now();
    await first.close();
    const closeMs = Date.now() - t0;
    const partial = (await rows(database)).rows;
    console.log(`closed mid-backlog in ${closeMs} ms with ${partial} of 300 ingested`);
    expect(partial).toBeLessThan(300);
    expect(closeMs).toBeLessThan(2000);
    const second = worker('shutdown', database, { owner: 'second' });
    await second.start();
    try {
      await eventually(async () => (await rows(database)).rows === 300, 30_000, '300 rows');
      expect(await rows(database)).toEqual({ rows: 300, distinct: 300 });
    } finally {
      await second.close();
    }
  });
});
