import { afterAll, beforeAll, it } from 'vitest';
import { runChaosLoop } from '../test/helpers/chaos-crash-loop.js';
import type { FaultKind } from '../test/helpers/chaos-faults.js';
import { recordChaosFigures } from '../test/helpers/chaos-figures.js';
import { chaosMails, chaosSeed, startChaosEnvironment, type ChaosEnvironment } from './chaos-environment.js';
import { expectExactlyOnce } from '../test/helpers/expect-exactly-once.js';

/**
 * Faults from outside while mail arrives in waves: IMAP link reset and blackholed through the
 * proxy, Dovecot restarted, slagate's database sessions terminated, the SMTP sink down for a
 * while, deferring with 451 and hanging up after DATA, and the PostgreSQL server restarted: the
 * database is on a cluster of this scenario's own, so the restart breaks nobody else.
 */

const MAILS = chaosMails(600);
const SEED = chaosSeed();
const FAULTS: FaultKind[] = [
  'imap-reset', 'imap-blackhole', 'dovecot-restart', 'pg-terminate', 'pg-restart', 'smtp-down', 'smtp-451', 'smtp-drop-after-data',
];
let env: ChaosEnvironment;

beforeAll(async () => { env = await startChaosEnvironment('faults', { ownServer: true }); }, 180_000);
afterAll(async () => { await env?.close(); });

it(`faults over ${MAILS} mails (seed ${SEED})`, async () => {
  const r = await runChaosLoop({ ...env, user: 'faults' }, {
    mails: MAILS, crashPoints: [], faults: FAULTS, faultEveryMs: 2_000, waves: 20, seed: SEED, timeoutMs: 480_000,
  });
  console.log(`faults: ${r.mails} mails, ${JSON.stringify(r.faults)}, exits ${JSON.stringify(r.exits)}, lost ${r.lostMails.length}, ` +
    `duplicated ${r.duplicatedMails}, ambiguous SMTP duplicates ${r.smtpDuplicates}`);
  recordChaosFigures({
    scenario: 'Faults',
    tried: `${MAILS} mails arriving in 20 waves while a fault was injected every ~2 s: ${FAULTS.join(', ')}; the driver restarted slagate start whenever it exited (seed ${SEED}).`,
    mails: r.mails, faults: r.faults, lost: r.lostMails.length + r.acknowledgementsNotDelivered.length, duplicated: r.duplicatedMails,
    ambiguousSmtpDuplicates: r.smtpDuplicates,
    notes: [`${r.runs} runs; process exits ${JSON.stringify(r.exits)}`, `IMAP connections through the proxy: ${env.proxy.accepted}`,
      `SMTP connections to the sink: ${env.sink.connections}`,
      `copies accepted within one run of the gateway: ${r.duplicatesWithinOneRun} (a connection lost after DATA while the sink was stopped, or a database outage longer than the lease while a sent mail was being recorded, can make one)`],
    durationMs: r.durationMs,
  });
  expectExactlyOnce(r, MAILS);
});
