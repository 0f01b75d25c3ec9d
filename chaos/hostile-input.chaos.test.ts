import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordChaosFigures } from '../test/helpers/chaos-figures.js';
import { createHostileHarness, type HostileHarness } from '../test/helpers/chaos-hostile-check.js';
import { injectionArb, loadCorpus, monsterCases, mutatedCorpusArb } from '../test/helpers/chaos-hostile-mail.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';

/**
 * CHAOS_CASES (10,000) hostile mails through the real ingest, in process: the corpus mutated
 * (byte flips, truncation, duplicated headers, line endings, charsets, NUL bytes, subjects), header
 * injection attempts, and the monsters (1000-deep MIME, a 5 MB header, broken charsets). None may
 * crash ingest; each is stored or quarantined with a reason; nothing we send has an injected header.
 */

const CASES = Number(process.env.CHAOS_CASES ?? 10_000);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
let database: TestDatabase;
let harness: HostileHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = createHostileHarness(database);
});
afterAll(async () => {
  harness?.close();
  await database?.drop();
});

it(`${CASES} hostile mails (seed ${SEED})`, async () => {
  const t0 = Date.now();
  const corpus = loadCorpus();
  // The corpus one at a time, the monsters together in one batch (as one IMAP FETCH brings them).
  for (const c of corpus) await harness.run({ label: c.name, raw: c.raw });
  await harness.runBatch(monsterCases());
  await fc.assert(fc.asyncProperty(fc.oneof({ arbitrary: mutatedCorpusArb(corpus), weight: 4 }, { arbitrary: injectionArb(), weight: 1 }),
    async (c) => { await harness.run(c); }), { numRuns: CASES, seed: SEED });
  const t = harness.tally;
  recordChaosFigures({
    scenario: 'Hostile input',
    tried: `${t.cases} mails through the real ingest: the ${corpus.length} corpus mails, ${monsterCases().length} monsters and ${CASES} property-based cases (seed ${SEED}); every outbound mail they caused rendered and its headers checked.`,
    mails: t.cases, faults: { 'mutated or hostile mails': t.cases }, lost: 0, duplicated: 0,
    notes: [`decisions: ${JSON.stringify(t.byDecision)}`, `quarantined with a reason: ${t.quarantined} ${JSON.stringify(t.quarantineCodes)}`,
      `${t.tickets} tickets; ${t.mailsRendered} outbound mails rendered, none with an injected header or a line break in a header value`],
    durationMs: Date.now() - t0,
  });
  expect(t.stored + t.duplicates).toBe(t.cases);
});
