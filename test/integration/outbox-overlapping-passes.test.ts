import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { SlagateError } from '../../src/errors.js';
import { enqueue } from '../../src/db/repositories/outbox-repository.js';
import type { OutboundMail } from '../../src/outbound/outbound-mail.js';
import type { MailSender, SendableMail, SendResult } from '../../src/smtp/mail-sender.js';
import { createOutboxWorker } from '../../src/workers/outbox-worker.js';
import { eventually } from '../helpers/eventually.js';
import { outboundMail } from '../helpers/outbound-mail.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * A sender with four connections whose sends finish when the test says: how many are out at once,
 * and in what order they started.
 */
function heldSender(concurrency: number, options: { holdsOneMore?: boolean } = {}) {
  const started: string[] = [];
  const maxWaits: (number | undefined)[] = [];
  const held = new Map<string, () => void>();
  let out = 0;
  let mostOut = 0;
  const sender: MailSender = {
    concurrency,
    holdsOneMore: options.holdsOneMore,
    async send(mail: SendableMail): Promise<SendResult> {
      started.push(mail.messageId);
      maxWaits.push(mail.maxWaitMs);
      out += 1;
      mostOut = Math.max(mostOut, out);
      await new Promise<void>((resolve) => held.set(mail.messageId, resolve));
      out -= 1;
      return { accepted: mail.to.map((a) => a.address), rejected: [], response: '250 OK' };
    },
    close: async () => {},
  };
  const release = (messageId: string) => { held.get(messageId)?.(); held.delete(messageId); };
  return { sender, started, maxWaits, release, held, mostOut: () => mostOut };
}

describe('outbox passes that overlap', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase({ poolMax: 4 }); });
  afterAll(async () => { await database.drop(); });

  const mail = (n: number): OutboundMail => outboundMail('overlap', n, { kind: 'team-new-ticket', to: [{ name: '', address: `agent${n}@sanarise.example` }] });

  /** Mails `from`..`to` queued a minute ago in that order, and a started worker over `sender`. */
  async function queueAndStart(from: number, to: number, sender: MailSender, owner: string) {
    const t0 = new Date(Date.now() - 60_000);
    for (let n = from; n <= to; n++) await enqueue(database.db, mail(n), { notBefore: new Date(t0.getTime() + n), now: t0 });
    const config = parseConfig({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, outbox: { pollIntervalMs: 60_000, leaseMs: 120_000 } });
    const worker = createOutboxWorker({ db: database.db, config, sender, clock: () => new Date(), logger: pino({ level: 'silent' }), owner });
    await worker.start();
    return worker;
  }

  it('claims again as connections free up, while the slowest mail of a pass is still out, never more out than connections', async () => {
    const held = heldSender(4);
    const worker = await queueAndStart(1, 12, held.sender, 'overlap');
    try {
      await eventually(() => held.started.length === 4, 10_000, 'the first four sends');
      // The first mail hangs (a slow server); the other three of its pass are answered.
      for (const id of held.started.slice(1)) held.release(id);
      await eventually(() => held.started.length >= 7, 10_000, 'sends started while the first is still out');
      expect(held.held.has('<overlap.1@slagate.test>')).toBe(true);
      // Everything else goes through the three free connections.
      await eventually(() => {
        for (const id of [...held.held.keys()]) if (id !== '<overlap.1@slagate.test>') held.release(id);
        return held.started.length === 12;
      }, 10_000, 'all twelve started');
      held.release('<overlap.1@slagate.test>');
      await eventually(async () => {
        const [row] = await database.db.execute(sql`select count(*)::int as sent from outbox where dedupe_key like 'overlap:%' and status = 'sent'`) as unknown as { sent: number }[];
        return row!.sent === 12;
      }, 10_000, 'all twelve recorded as sent');
      expect(held.mostOut()).toBeLessThanOrEqual(4);
      expect(new Set(held.started).size).toBe(12);
    } finally {
      for (const id of [...held.held.keys()]) held.release(id);
      await worker.close();
    }
  });

  it('hands a sender that holds mails one more per connection, each allowed a tenth of the lease to start', async () => {
    await database.db.execute(sql`delete from outbox`);
    const held = heldSender(2, { holdsOneMore: true });
    const worker = await queueAndStart(21, 30, held.sender, 'holds');
    try {
      await eventually(() => held.started.length === 4, 10_000, 'two sending and two held');
      await new Promise((r) => setTimeout(r, 100));
      expect(held.started.length).toBe(4);
      await eventually(() => {
        for (const id of [...held.held.keys()]) held.release(id);
        return held.started.length === 10 && held.held.size === 0;
      }, 10_000, 'all ten sent');
      expect(held.mostOut()).toBe(4);
      expect(new Set(held.maxWaits)).toEqual(new Set([12_000]));
    } finally {
      for (const id of [...held.held.keys()]) held.release(id);
      await worker.close();
    }
  });

  it('gives a held mail that could not start in time back unsent: its attempt refunded, its last error and place kept, and sends it later', async () => {
    await database.db.execute(sql`delete from outbox`);
    const due = new Date(Date.now() - 60_000);
    await enqueue(database.db, mail(41), { notBefore: due, now: due });
    await database.db.execute(sql`update outbox set attempts = 2, last_error = '451 try later' where dedupe_key = 'overlap:41'`);
    let calls = 0;
    const sender: MailSender = {
      concurrency: 1,
      holdsOneMore: true,
      async send(m) {
        calls += 1;
        if (calls === 1) throw new SlagateError('SMTP_NOT_STARTED', `waited 13000 ms for a connection, over the ${m.maxWaitMs} ms allowed; not sent`);
        return { accepted: m.to.map((a) => a.address), rejected: [], response: '250 OK' };
      },
      close: async () => {},
    };
    const config = parseConfig({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, outbox: { pollIntervalMs: 60_000 } });
    const worker = createOutboxWorker({ db: database.db, config, sender, clock: () => new Date(), logger: pino({ level: 'silent' }), owner: 'given-back' });
    await worker.tick();
    const [back] = await database.db.execute(sql`select status, attempts, last_error, lease_owner, not_before from outbox where dedupe_key = 'overlap:41'`) as unknown as Record<string, unknown>[];
    // As before the claim, its place in the queue (not_before) included.
    expect({ ...back, not_before: new Date(back!.not_before as string).getTime() })
      .toEqual({ status: 'pending', attempts: 2, last_error: '451 try later', lease_owner: null, not_before: due.getTime() });
    await worker.tick();
    const [sent] = await database.db.execute(sql`select status, attempts from outbox where dedupe_key = 'overlap:41'`) as unknown as Record<string, unknown>[];
    expect(sent).toEqual({ status: 'sent', attempts: 3 });
    expect(calls).toBe(2);
  });

  it('never sends a mail twice because its lease ran out while this worker still had it (a busy machine, a slow server)', async () => {
    await database.db.execute(sql`delete from outbox`);
    const held = heldSender(2);
    const t0 = new Date(Date.now() - 60_000);
    for (let n = 51; n <= 56; n++) await enqueue(database.db, mail(n), { notBefore: new Date(t0.getTime() + n), now: t0 });
    // The shortest lease the config allows; the first mail is held past it while the others flow.
    const config = parseConfig({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, outbox: { pollIntervalMs: 50, leaseMs: 1_000 } });
    const worker = createOutboxWorker({ db: database.db, config, sender: held.sender, clock: () => new Date(), logger: pino({ level: 'silent' }), owner: 'slow' });
    await worker.start();
    try {
      const first = '<overlap.51@slagate.test>';
      await eventually(() => held.started.includes(first), 30_000, 'the first mail to start');
      // The other connection takes the rest one at a time, each held 400 ms: claims go on past
      // the first mail's lease (1 s), and each one sees that row due again.
      for (let sent = 0; sent < 5; sent++) {
        await eventually(() => [...held.held.keys()].some((id) => id !== first), 30_000, 'the next mail on the other connection');
        await new Promise((r) => setTimeout(r, 400));
        for (const id of [...held.held.keys()]) if (id !== first) held.release(id);
      }
      held.release(first);
      await eventually(async () => {
        const [r] = await database.db.execute(sql`select count(*) filter (where status = 'sent')::int as sent from outbox`) as unknown as { sent: number }[];
        for (const id of [...held.held.keys()]) held.release(id);
        return r!.sent === 6;
      }, 30_000, 'all six mails sent');
      expect(held.started.filter((id) => id === first)).toHaveLength(1);
      expect(new Set(held.started).size).toBe(held.started.length);
    } finally {
      for (const id of [...held.held.keys()]) held.release(id);
      await worker.close();
    }
  });
});
