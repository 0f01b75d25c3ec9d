import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChaosFigures } from '../helpers/chaos-figures.js';
import { checkRenderedHeaders, createHostileHarness, type HostileHarness } from '../helpers/chaos-hostile-check.js';
import { injectionArb, loadCorpus, monsterCases, mutatedCorpusArb } from '../helpers/chaos-hostile-mail.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * The short version of the hostile-input chaos run (chaos/hostile-input.chaos.test.ts runs
 * CHAOS_CASES, 10,000 by default): whatever bytes arrive, ingest stores or quarantines them with
 * a reason, and nothing it makes us send carries an injected header.
 */

const CASES = 300;
let database: TestDatabase;
let harness: HostileHarness;
const corpus = loadCorpus();

beforeAll(async () => {
  database = await createTestDatabase();
  harness = createHostileHarness(database);
});
afterAll(async () => {
  harness?.close();
  await database?.drop();
});

describe('hostile input', () => {
  it('stores every corpus mail as it is', async () => {
    for (const c of corpus) await harness.run({ label: c.name, raw: c.raw });
    // A few corpus files are the same mail with other line endings: deduplicated, not lost.
    expect(harness.tally.stored + harness.tally.duplicates).toBe(corpus.length);
    expect(harness.tally.quarantined).toBe(0);
  }, 180_000); // the whole corpus one mail at a time, with its outbound checks: over 30 s at load 27

  it('has a header check that catches an injected header and a bare LF', () => {
    const clean = 'From: a@b.example\r\nTo: c@d.example\r\nSubject: Hi\r\nMessage-ID: <x@y>\r\nDate: Mon, 16 Mar 2026 10:00:00 +0000\r\n\r\nbody';
    expect(() => checkRenderedHeaders('clean', Buffer.from(clean))).not.toThrow();
    expect(() => checkRenderedHeaders('bcc', Buffer.from(clean.replace('Subject: Hi', 'Subject: Hi\r\nBcc: v@evil.example'))))
      .toThrow(/unexpected header/);
    expect(() => checkRenderedHeaders('lf', Buffer.from(clean.replace('Subject: Hi', 'Subject: Hi\nX-Injected: yes'))))
      .toThrow(/bare CR, LF/);
  });

  it.each(monsterCases().map((c) => [c.label, c] as const))('survives %s: stored or quarantined with a reason', async (_label, c) => {
    const outcome = await harness.run(c);
    expect(outcome.rawMailId).not.toBeNull();
  }, 60_000);

  it('survives every monster in one batch, as the mailbox worker ingests the mails of one FETCH, deciding as one at a time', async () => {
    const worlds = [await createTestDatabase(), await createTestDatabase()];
    const [oneByOne, together] = worlds.map((w) => createHostileHarness(w));
    try {
      const expected = [];
      for (const c of monsterCases()) expected.push((await oneByOne!.run(c)).decision);
      const outcomes = await together!.runBatch(monsterCases());
      expect(outcomes.every((o) => o.rawMailId !== null)).toBe(true);
      expect(outcomes.map((o) => o.decision)).toEqual(expected);
    } finally {
      oneByOne!.close();
      together!.close();
      for (const w of worlds) await w.drop();
    }
  }, 120_000);

  it(`survives ${CASES} mutated corpus mails and injection attempts with nothing injected into what we send`, async () => {
    const t0 = Date.now();
    await fc.assert(fc.asyncProperty(fc.oneof(mutatedCorpusArb(corpus), injectionArb()), async (c) => {
      await harness.run(c);
    }), { numRuns: CASES, seed: Number(process.env.CHAOS_SEED ?? 2026) }); // repeatable in npm test; `npm run chaos` explores
    const t = harness.tally;
    expect(t.mailsRendered).toBeGreaterThan(0);
    recordChaosFigures({
      scenario: 'Hostile input (short)',
      tried: `${t.cases} mails: the corpus, the monsters and ${CASES} property-based mutations`,
      mails: t.cases, faults: { 'hostile mails': t.cases }, lost: 0, duplicated: 0,
      notes: [`decisions ${JSON.stringify(t.byDecision)}`, `quarantine codes ${JSON.stringify(t.quarantineCodes)}`,
        `${t.mailsRendered} outbound mails rendered and checked`],
      durationMs: Date.now() - t0,
    });
  }, 120_000);
});
