import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, gt } from 'drizzle-orm';
import pino from 'pino';
import { ingestBatch } from '../../src/app/ingest/ingest-batch.js';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import type { IngestOutcome } from '../../src/inbound/ingest-types.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { quarantine } from '../../src/db/schema/quarantine.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { createFileSender } from '../../src/smtp/create-file-sender.js';
import { renderRequestedReports } from '../../src/app/jobs/client-report-attachment.js';
import { resolveOutboxAttachments } from '../../src/app/notify/stored-attachments.js';
import type { HostileCase } from './chaos-hostile-mail.js';
import { testConfig } from './test-config.js';
import type { TestDatabase } from './test-database.js';

/**
 * Runs hostile mail through the real ingest, in process, and checks the three promises: it does
 * not crash, it is stored (raw_mail) or quarantined with a reason, and every mail it makes us
 * send renders with no injected header. Rendering goes through the file sender, which writes the
 * same bytes as the SMTP sender sends (compose-raw-message.ts).
 */

/** Top-level header fields our outbound mail may carry; anything else came from outside. */
const ALLOWED_HEADERS = new Set([
  'content-type', 'content-transfer-encoding', 'mime-version', 'from', 'reply-to', 'to', 'cc', 'subject', 'message-id',
  'date', 'in-reply-to', 'references', 'auto-submitted', 'x-auto-response-suppress', 'precedence',
  'list-unsubscribe', 'list-id', 'x-slagate-ticket', 'x-slagate-kind',
]);
const EXACTLY_ONCE = ['from', 'to', 'subject', 'message-id', 'date'];

export interface HostileTally {
  cases: number;
  stored: number;
  quarantined: number;
  duplicates: number;
  tickets: number;
  mailsRendered: number;
  byDecision: Record<string, number>;
  quarantineCodes: Record<string, number>;
}

export interface HostileHarness {
  run(c: HostileCase): Promise<IngestOutcome>;
  /** The cases in one ingestBatch, as the mailbox worker ingests the mails of one FETCH. */
  runBatch(cases: HostileCase[]): Promise<IngestOutcome[]>;
  tally: HostileTally;
  close(): void;
}

/** Mon 16 Mar 2026 10:00 Istanbul: business hours, so every kind of mail is queued at once. */
const NOW = new Date('2026-03-16T07:00:00Z');

export function createHostileHarness(database: TestDatabase): HostileHarness {
  // The per-sender acknowledgement cap would silence most acknowledgements after the tenth case.
  const config = testConfig(database.url, { limits: { ackPerSenderCap: 1_000_000 } });
  const deps: IngestDeps = { db: database.db, config, logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => NOW };
  const outDir = mkdtempSync(join(tmpdir(), 'slagate-chaos-render-'));
  const sender = createFileSender(outDir, { clock: () => NOW });
  let lastOutboxId = 0;
  const tally: HostileTally = {
    cases: 0, stored: 0, quarantined: 0, duplicates: 0, tickets: 0, mailsRendered: 0, byDecision: {}, quarantineCodes: {},
  };

  async function run(c: HostileCase): Promise<IngestOutcome> {
    const outcome = await ingestMessage(deps, { raw: c.raw, mailbox: 'support', receivedAt: NOW, source: 'replay' });
    await check(c, outcome);
    await renderQueued(c.label);
    return outcome;
  }

  async function runBatch(cases: HostileCase[]): Promise<IngestOutcome[]> {
    const batch = await ingestBatch(deps, cases.map((c) => ({ raw: c.raw, mailbox: 'support' as const, receivedAt: NOW, source: 'replay' as const })));
    if (batch.failure) throw new Error(`batch of ${cases.map((c) => c.label).join(', ')} failed: ${String(batch.failure)}`);
    const outcomes = batch.outcomes.map((o, i) => {
      if (!o) throw new Error(`${cases[i]!.label}: no outcome from its batch`);
      return o;
    });
    for (const [i, c] of cases.entries()) await check(c, outcomes[i]!);
    await renderQueued(`batch of ${cases.length}`);
    return outcomes;
  }

  async function check(c: HostileCase, outcome: IngestOutcome): Promise<void> {
    tally.cases++;
    tally.byDecision[outcome.decision] = (tally.byDecision[outcome.decision] ?? 0) + 1;
    if (outcome.rawMailId === null) throw new Error(`${c.label}: no raw_mail row (${outcome.decision}: ${outcome.reason})`);
    const [row] = await database.db.select({ id: rawMail.id, decision: rawMail.decision, reason: rawMail.reason })
      .from(rawMail).where(eq(rawMail.id, outcome.rawMailId));
    if (!row) throw new Error(`${c.label}: raw_mail ${outcome.rawMailId} is missing`);
    if (outcome.decision === 'duplicate') tally.duplicates++;
    else tally.stored++;
    if (row.decision === 'pending') throw new Error(`${c.label}: raw_mail ${row.id} was left pending`);
    if (outcome.decision === 'quarantined') {
      const [q] = await database.db.select().from(quarantine).where(eq(quarantine.rawMailId, outcome.rawMailId));
      if (!q || !q.reasonCode || !q.reason) throw new Error(`${c.label}: quarantined without a reason`);
      tally.quarantined++;
      tally.quarantineCodes[q.reasonCode] = (tally.quarantineCodes[q.reasonCode] ?? 0) + 1;
    }
    if (outcome.ticket) tally.tickets++;
  }

  async function renderQueued(label: string): Promise<void> {
    const queued = await database.db.select().from(outbox).where(and(gt(outbox.id, lastOutboxId)));
    for (const mail of queued) {
      lastOutboxId = Math.max(lastOutboxId, mail.id);
      checkStoredValues(label, mail);
      // As the outbox worker sends it: a requested report rendered, forwarded files read back from their raw mail.
      const attachments = await resolveOutboxAttachments(database.db, await renderRequestedReports(database.db, config, mail.attachments, NOW));
      const result = await sender.send({ ...mail, attachments });
      const file = join(outDir, /^written to (.+)$/.exec(result.response)![1]!);
      const eml = readFileSync(file);
      rmSync(file);
      checkRenderedHeaders(`${label} → ${mail.kind} ${mail.messageId}`, eml);
      tally.mailsRendered++;
    }
  }

  return { run, runBatch, tally, close: () => rmSync(outDir, { recursive: true, force: true }) };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\r\n\u0000\u2028\u2029]/;

/** The stored row is what every later attempt sends: its header-bound values must already be clean. */
function checkStoredValues(label: string, mail: typeof outbox.$inferSelect): void {
  const values: [string, string][] = [
    ['subject', mail.subject],
    ['from', `${mail.fromAddress.name ?? ''} ${mail.fromAddress.address}`],
    ...[...mail.to, ...mail.cc].map((a): [string, string] => ['recipient', `${a.name ?? ''} ${a.address}`]),
    ...Object.entries(mail.headers).map(([k, v]): [string, string] => [k, `${k}: ${v}`]),
  ];
  for (const [what, value] of values) {
    if (CONTROL.test(value)) throw new Error(`${label}: outbox ${mail.id} ${what} holds a line break: ${JSON.stringify(value)}`);
  }
}

/** Parses the top-level header block of a rendered mail and refuses anything a header injection leaves behind. */
export function checkRenderedHeaders(label: string, eml: Buffer): void {
  const text = eml.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`${label}: rendered mail has no header/body separator`);
  const lines = text.slice(0, end).split('\r\n');
  const names: string[] = [];
  for (const line of lines) {
    if (/[\r\n\u0000]/.test(line)) throw new Error(`${label}: bare CR, LF or NUL in header line ${JSON.stringify(line)}`);
    if (/^[ \t]/.test(line)) continue;
    const name = /^([!-9;-~]+):/.exec(line)?.[1];
    if (!name) throw new Error(`${label}: not a header line: ${JSON.stringify(line)}`);
    names.push(name.toLowerCase());
  }
  const unexpected = names.filter((n) => !ALLOWED_HEADERS.has(n));
  if (unexpected.length > 0) throw new Error(`${label}: unexpected header(s) ${unexpected.join(', ')}`);
  for (const n of EXACTLY_ONCE) {
    const count = names.filter((x) => x === n).length;
    if (count !== 1) throw new Error(`${label}: ${n} appears ${count} times`);
  }
}
