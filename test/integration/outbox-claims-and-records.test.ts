import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDue, enqueueMany, getOutbox, markSentMany } from '../../src/db/repositories/outbox-repository.js';
import type { OutboundMail } from '../../src/outbound/outbound-mail.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * The outbox claim runs before every few mails sent, for ever, on a table that keeps every mail.
 * Its scan must be bounded by what is due, not by how much was ever sent: each row sent leaves a
 * dead entry behind in outbox_due until vacuum (and this machine's server has autovacuum off).
 */
describe('claiming due outbox rows', () => {
  let database: TestDatabase;
  const t0 = new Date('2026-03-16T09:00:00Z');

  beforeAll(async () => { database = await createTestDatabase({ poolMax: 1 }); });
  afterAll(async () => { await database.drop(); });

  const mail = (n: number): OutboundMail => ({
    dedupeKey: `plan:${n}`, kind: 'acknowledgement', ticketId: null, messageId: `<plan.${n}@slagate.test>`,
    from: { name: 'Destek', address: 'support@sanarise.example' }, replyTo: null,
    to: [{ name: '', address: `client${n}@client.example` }], cc: [], subject: `s ${n}`, text: 't', html: '<p>t</p>', headers: {},
  });

  it('uses outbox_due with not_before <= now as its index condition, in the generic plan of the prepared claim too', async () => {
    const sent = 400;
    await enqueueMany(database.db, Array.from({ length: sent }, (_, i) => ({ mail: mail(i), notBefore: new Date(t0.getTime() + i) })), t0);
    const later = new Date(t0.getTime() + 60_000);
    for (;;) {
      const rows = await claimDue(database.db, { owner: 'w1', leaseMs: 60_000, limit: 50, now: later });
      if (rows.length === 0) break;
      const recorded = await markSentMany(database.db, 'w1', rows.map((row) => ({ id: row.id, now: later, recipients: {} })));
      for (const row of rows) expect(recorded.has(row.id)).toBe(true);
    }
    // One pending mail, due later than every sent one: the claim finds it and nothing else.
    await enqueueMany(database.db, [{ mail: mail(sent), notBefore: new Date(later.getTime() + 1) }], later);
    const claimAt = new Date(later.getTime() + 1_000);
    const claimed = await claimDue(database.db, { owner: 'w2', leaseMs: 60_000, limit: 20, now: claimAt });
    expect(claimed.map((r) => r.dedupeKey)).toEqual([`plan:${sent}`]);
    expect((await markSentMany(database.db, 'w2', [{ id: claimed[0]!.id, now: claimAt, recipients: {} }])).has(claimed[0]!.id)).toBe(true);

    // The claim as the worker runs it: postgres.js keeps it prepared on the pool's one connection,
    // and after five runs the server may plan it once for any values (a generic plan).
    const [statement] = await database.db.execute(sql`select name, statement from pg_prepared_statements
      where statement like 'update "outbox" set "status"%' and statement like '%for update skip locked%'`) as unknown as { name: string; statement: string }[];
    expect(statement).toBeDefined();
    const valueFor = (before: string): string => {
      if (/"status" = $/.test(before)) return `'sending'`;
      if (/"lease_owner" = $/.test(before)) return `'w3'`;
      if (/("lease_until" = |"not_before" <= |"lease_until" < )$/.test(before)) return `'${claimAt.toISOString()}'`;
      if (/limit $/.test(before)) return '20';
      throw new Error(`the claim has a parameter this test does not know: …${before.slice(-40)}`);
    };
    const args = [...statement!.statement.matchAll(/\$(\d+)/g)]
      .map((m) => ({ n: Number(m[1]), value: valueFor(statement!.statement.slice(0, m.index)) }))
      .sort((a, b) => a.n - b.n).filter((p, i, all) => i === 0 || all[i - 1]!.n !== p.n).map((p) => p.value);
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      return tx.execute(sql.raw(`explain (format json) execute "${statement!.name}"(${args.join(', ')})`)) as unknown as { 'QUERY PLAN': unknown }[];
    });
    const text = JSON.stringify(plan[0]!['QUERY PLAN']);
    expect(text).toMatch(/"Index Name":"outbox_due"/);
    expect(text).toMatch(/"Index Cond":"\(not_before <= \$\d+\)"/);
  });

  it('records several sent mails in one statement, each only under its own lease', async () => {
    const at = new Date(t0.getTime() + 3_600_000);
    await enqueueMany(database.db, [500, 501, 502].map((n) => ({ mail: mail(n), notBefore: at })), at);
    const mine = await claimDue(database.db, { owner: 'a', leaseMs: 60_000, limit: 2, now: at });
    const theirs = await claimDue(database.db, { owner: 'b', leaseMs: 60_000, limit: 1, now: at });
    expect(mine.map((r) => r.dedupeKey)).toEqual(['plan:500', 'plan:501']);
    const recorded = await markSentMany(database.db, 'a', [...mine, ...theirs].map((r, i) => ({ id: r.id, now: at, recipients: { [`c${i}@client.example`]: 'accepted: 250 OK' } })));
    expect([...recorded].sort()).toEqual(mine.map((r) => r.id).sort());
    const first = await getOutbox(database.db, mine[0]!.id);
    expect(first).toMatchObject({ status: 'sent', leaseOwner: null, leaseUntil: null, recipients: { 'c0@client.example': 'accepted: 250 OK' } });
    expect(first!.sentAt?.toISOString()).toBe(at.toISOString());
    expect(await getOutbox(database.db, theirs[0]!.id)).toMatchObject({ status: 'sending', leaseOwner: 'b' });
  });
});
