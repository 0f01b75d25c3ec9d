import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgementGates, claimDue, enqueueMany, getOutbox, markSentMany } from '../../src/db/repositories/outbox-repository.js';
import type { OutboundMail } from '../../src/outbound/outbound-mail.js';
import { outboundMail } from '../helpers/outbound-mail.js';
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

  const mail = (n: number): OutboundMail => outboundMail('plan', n);

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

  it('keeps an outbox row small, its text out of line, so leasing and recording it copies only pointers', async () => {
    const at = new Date(t0.getTime() + 7_200_000);
    // Words of an acknowledgement in a random order: compressed, a row holding its text and HTML
    // would still be about 1.3 KB, as a real acknowledgement's row was.
    const vocabulary = ('merhaba talebiniz alındı destek ekibimiz en kısa sürede size dönüş yapacak lütfen bu numarayı konu '
      + 'satırında koruyun the request was received our team will answer within business hours please keep ticket number').split(' ');
    let seed = 7;
    const words = (count: number) => Array.from({ length: count }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return vocabulary[Math.floor(seed / 65_536) % vocabulary.length];
    }).join(' ');
    const big = (n: number): OutboundMail => ({ ...mail(n), dedupeKey: `big:${n}`, messageId: `<big.${n}@slagate.test>`,
      text: words(300), html: `<p>${words(200)}</p>` });
    await enqueueMany(database.db, Array.from({ length: 40 }, (_, i) => ({ mail: big(i), notBefore: at })), at);
    const rows = await claimDue(database.db, { owner: 'big', leaseMs: 60_000, limit: 40, now: at });
    expect(rows).toHaveLength(40);
    await markSentMany(database.db, 'big', rows.map((r) => ({ id: r.id, now: at, recipients: {} })));
    // Each update writes a whole new version of the row. The 40 versions the record wrote went
    // into pages one after another: as pointers a dozen shared a page here; with their compressed
    // text inline (toast_tuple_target left at its default), five.
    const [packed] = await database.db.execute(sql`select max(n)::int as most from (select count(*) as n from outbox
      where dedupe_key like 'big:%' group by (ctid::text::point)[0]) pages`) as unknown as { most: number }[];
    expect(packed!.most).toBeGreaterThanOrEqual(8);
  });

  it('counts the acknowledgements sent to an address through the outbox_ack_recipient index', async () => {
    const at = new Date(t0.getTime() + 10_800_000);
    const ack = (n: number, to: string, kind = 'acknowledgement'): OutboundMail => ({ ...mail(n), dedupeKey: `gate:${n}`,
      messageId: `<gate.${n}@slagate.test>`, kind: kind as OutboundMail['kind'], to: [{ name: 'X', address: to }] });
    await enqueueMany(database.db, [
      { mail: ack(1, 'ayse@client.example'), notBefore: at }, { mail: ack(2, 'ayse@client.example', 'acknowledgement-private'), notBefore: at },
      { mail: ack(3, 'ayse@client.example', 'notify-new'), notBefore: at }, { mail: ack(4, 'mehmet@client.example'), notBefore: at },
    ], at);
    const gates = await acknowledgementGates(database.db, ['ayse@client.example', 'mehmet@client.example', 'nobody@client.example'], at, at);
    expect(Object.fromEntries([...gates].map(([a, g]) => [a, g.sent]))).toEqual({
      'ayse@client.example': 2, 'mehmet@client.example': 1, 'nobody@client.example': 0,
    });
    expect((await acknowledgementGates(database.db, ['ayse@client.example'], at, new Date(at.getTime() + 1))).get('ayse@client.example')!.sent).toBe(0);
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute(sql`explain (format json) select count(*) from outbox o where o.kind in ('acknowledgement', 'acknowledgement-private')
        and o.created_at >= ${at.toISOString()}::timestamptz and o.ack_recipient = 'ayse@client.example'`) as unknown as { 'QUERY PLAN': unknown }[];
    });
    expect(JSON.stringify(plan[0]!['QUERY PLAN'])).toMatch(/"Index Name":"outbox_ack_recipient"/);
    // Issue 21: stored and looked up normalised, so a plus-tag counts against the same address.
    await enqueueMany(database.db, [{ mail: ack(5, 'mehmet+tag@client.example'), notBefore: at }], at);
    expect((await acknowledgementGates(database.db, ['mehmet+other@client.example'], at, at)).get('mehmet+other@client.example'))
      .toMatchObject({ sent: 2, recipient: 'mehmet@client.example', domain: 'client.example', domainSent: 4 });
  });
});
