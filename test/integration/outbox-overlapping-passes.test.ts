import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
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
function heldSender(concurrency: number) {
  const started: string[] = [];
  const held = new Map<string, () => void>();
  let out = 0;
  let mostOut = 0;
  const sender: MailSender = {
    concurrency,
    async send(mail: SendableMail): Promise<SendResult> {
      started.push(mail.messageId);
      out += 1;
      mostOut = Math.max(mostOut, out);
      await new Promise<void>((resolve) => held.set(mail.messageId, resolve));
      out -= 1;
      return { accepted: mail.to.map((a) => a.address), rejected: [], response: '250 OK' };
    },
    close: async () => {},
  };
  const release = (messageId: string) => { held.get(messageId)?.(); held.delete(messageId); };
  return { sender, started, release, held, mostOut: () => mostOut };
}

describe('outbox passes that overlap', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase({ poolMax: 4 }); });
  afterAll(async () => { await database.drop(); });

  const mail = (n: number): OutboundMail => outboundMail('overlap', n, { kind: 'team-new-ticket', to: [{ name: '', address: `agent${n}@sanarise.example` }] });

  it('claims again as connections free up, while the slowest mail of a pass is still out, never more out than connections', async () => {
    const t0 = new Date(Date.now() - 60_000);
    for (let n = 1; n <= 12; n++) await enqueue(database.db, mail(n), { notBefore: new Date(t0.getTime() + n), now: t0 });
    const held = heldSender(4);
    const config = parseConfig({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, outbox: { pollIntervalMs: 60_000 } });
    const worker = createOutboxWorker({ db: database.db, config, sender: held.sender, clock: () => new Date(), logger: pino({ level: 'silent' }), owner: 'overlap' });
    await worker.start();
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
});
