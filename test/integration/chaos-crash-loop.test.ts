import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS } from '../../src/crash-points.js';
import { runChaosLoop } from '../helpers/chaos-crash-loop.js';
import { recordChaosFigures } from '../helpers/chaos-figures.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { expectExactlyOnce } from '../helpers/expect-exactly-once.js';

/**
 * The short crash loop inside `npm test` (chaos/crash-loop.chaos.test.ts runs 1,000 mails):
 * `slagate start` killed with SIGKILL at random crash points and restarted until 60 mails are
 * through, then each is exactly one ticket and each acknowledgement reached the SMTP sink.
 */

const MAILS = 60;
// A fixed seed inside npm test keeps CI repeatable; CHAOS_SEED explores others.
const SEED = Number(process.env.CHAOS_SEED ?? 4242);
let dovecot: Dovecot;
let sink: SmtpSink;
let database: TestDatabase;
let tmp: string;

beforeAll(async () => {
  [dovecot, sink, database] = await Promise.all([startDovecot({ users: ['chaos'] }), startSmtpSink(), createTestDatabase()]);
  tmp = mkdtempSync(join(tmpdir(), 'slagate-chaos-'));
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([dovecot?.stop(), sink?.close(), database?.drop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('crash loop', () => {
  // The deadline is generous because a restart takes ~17 s at load 17 on two cores; an idle run settles in ~15 s.
  it(`kill -9 at random crash points until ${MAILS} mails are through: one ticket each, every acknowledgement delivered (seed ${SEED})`, async () => {
    const r = await runChaosLoop({ dovecot, user: 'chaos', database, sink, tmp }, {
      mails: MAILS, crashPoints: CRASH_POINTS, faults: [], seed: SEED, timeoutMs: 300_000, firstCrashAt: 'after-staging:5',
    });
    recordChaosFigures({
      scenario: 'Crash loop (short)',
      tried: `${MAILS} mails, slagate start killed with SIGKILL at random crash points and restarted (seed ${SEED})`,
      mails: r.mails, faults: Object.fromEntries(Object.entries(r.kills).map(([k, v]) => [`kill -9 ${k}`, v])),
      lost: r.lostMails.length, duplicated: r.duplicatedMails, ambiguousSmtpDuplicates: r.smtpDuplicates,
      notes: [`${r.runs} runs`, `other exits ${JSON.stringify(r.exits)}`], durationMs: r.durationMs,
    });
    expect(Object.values(r.kills).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expectExactlyOnce(r, MAILS);
    expect(r.acknowledgements).toBe(MAILS);
    // With only kills as faults, a second copy must come from a later process than the first.
    expect(r.duplicatesWithinOneRun).toBe(0);
  }, 360_000);
});
