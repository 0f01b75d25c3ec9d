import { afterAll, beforeAll, expect, it } from 'vitest';
import { CRASH_POINTS } from '../src/crash-points.js';
import { runChaosLoop } from '../test/helpers/chaos-crash-loop.js';
import { recordChaosFigures } from '../test/helpers/chaos-figures.js';
import { chaosMails, chaosSeed, startChaosEnvironment, type ChaosEnvironment } from './chaos-environment.js';
import { expectExactlyOnce } from '../test/helpers/expect-exactly-once.js';

/**
 * 1,000 mails (CHAOS_MAILS) in a real Dovecot; `slagate start` killed with SIGKILL at a random
 * crash point after a random number of passes, restarted until everything is through. Then:
 * every mail exactly one raw_mail row and one ticket, every acknowledgement at the sink, and
 * duplicates there only within the ambiguous windows (a kill while sends are between the server's
 * 250 and their record: at most one per SMTP connection).
 */

const MAILS = chaosMails(1_000);
const SEED = chaosSeed();
let env: ChaosEnvironment;

beforeAll(async () => { env = await startChaosEnvironment('crashloop'); });
afterAll(async () => { await env?.close(); });

it(`crash loop over ${MAILS} mails (seed ${SEED})`, async () => {
  const r = await runChaosLoop({ ...env, proxy: undefined, user: 'crashloop' }, {
    mails: MAILS, crashPoints: CRASH_POINTS, faults: [], seed: SEED, timeoutMs: 600_000,
  });
  const kills = Object.values(r.kills).reduce((a, b) => a + b, 0);
  console.log(`crash loop: ${r.mails} mails, ${r.runs} runs, ${kills} kills ${JSON.stringify(r.kills)}, lost ${r.lostMails.length}, ` +
    `duplicated ${r.duplicatedMails}, ambiguous SMTP duplicates ${r.smtpDuplicates} (at most ${r.ambiguousWindows} possible)`);
  recordChaosFigures({
    scenario: 'Crash loop',
    tried: `${MAILS} mails delivered to Dovecot; slagate start killed with SIGKILL at a random crash point after a random number of passes and restarted until all were through (seed ${SEED}).`,
    mails: r.mails, faults: Object.fromEntries(Object.entries(r.kills).map(([k, v]) => [`kill -9 ${k}`, v])),
    lost: r.lostMails.length + r.acknowledgementsNotDelivered.length, duplicated: r.duplicatedMails, ambiguousSmtpDuplicates: r.smtpDuplicates,
    notes: [`${r.runs} runs; other exits ${JSON.stringify(r.exits)}`, `${r.tickets} tickets, ${r.acknowledgements} acknowledgements, ${r.acknowledgementsNotDelivered.length} not delivered`,
      `ambiguous sends possible (kills and exits × SMTP connections, and drops after DATA): ${r.ambiguousWindows}`,
      `copies accepted within one run of the gateway (must be 0: only a kill or exit may explain one): ${r.duplicatesWithinOneRun}`],
    durationMs: r.durationMs,
  });
  expect(kills).toBeGreaterThan(0);
  expectExactlyOnce(r, MAILS);
  expect(r.duplicatesWithinOneRun).toBe(0);
});
