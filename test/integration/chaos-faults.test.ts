import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChaosLoop } from '../helpers/chaos-crash-loop.js';
import type { FaultKind } from '../helpers/chaos-faults.js';
import { recordChaosFigures } from '../helpers/chaos-figures.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { expectExactlyOnce } from '../helpers/expect-exactly-once.js';

/**
 * The short fault run inside `npm test` (chaos/faults.chaos.test.ts is the long one): while a
 * real `slagate start` works through 60 mails, its IMAP link is reset and silenced, Dovecot
 * restarts, its database sessions are terminated, and the SMTP sink defers and hangs up after
 * DATA. The driver restarts the process whenever it exits; nothing may be lost or duplicated.
 */

const MAILS = 60;
// A fixed seed inside npm test keeps CI repeatable; CHAOS_SEED explores others.
const SEED = Number(process.env.CHAOS_SEED ?? 5100);
const FAULTS: FaultKind[] = ['imap-reset', 'imap-blackhole', 'dovecot-restart', 'pg-terminate', 'smtp-451', 'smtp-drop-after-data'];
let dovecot: Dovecot;
let proxy: TcpProxy;
let sink: SmtpSink;
let database: TestDatabase;
let tmp: string;

beforeAll(async () => {
  [dovecot, sink, database] = await Promise.all([startDovecot({ users: ['faults'] }), startSmtpSink(), createTestDatabase()]);
  proxy = await startTcpProxy({ host: dovecot.host, port: dovecot.port });
  tmp = mkdtempSync(join(tmpdir(), 'slagate-chaos-'));
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([proxy?.close(), dovecot?.stop(), sink?.close(), database?.drop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('faults from outside', () => {
  it(`IMAP resets and blackholes, a Dovecot restart, killed database sessions, 451s and a drop after DATA: ${MAILS} mails, none lost (seed ${SEED})`, async () => {
    const r = await runChaosLoop({ dovecot, user: 'faults', database, sink, proxy, tmp }, {
      mails: MAILS, crashPoints: [], faults: FAULTS, faultEveryMs: 1_000, waves: 6, seed: SEED, timeoutMs: 300_000,
    });
    recordChaosFigures({
      scenario: 'Faults (short)',
      tried: `${MAILS} mails while IMAP, PostgreSQL and SMTP faults were injected every ~1 s, the mail arriving in 6 waves (seed ${SEED})`,
      mails: r.mails, faults: r.faults, lost: r.lostMails.length, duplicated: r.duplicatedMails, ambiguousSmtpDuplicates: r.smtpDuplicates,
      notes: [`${r.runs} runs`, `process exits ${JSON.stringify(r.exits)}`, `IMAP connections through the proxy: ${proxy.accepted}`],
      durationMs: r.durationMs,
    });
    expect(Object.values(r.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expectExactlyOnce(r, MAILS);
  }, 360_000);
});
