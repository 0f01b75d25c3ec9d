import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { ChaosFigures } from '../test/helpers/chaos-figures.js';

/**
 * Global setup of `npm run chaos`: gives the scenarios a folder for their figures and, when the
 * run ends, writes RELIABILITY.md from whatever they recorded, so the document always shows the
 * last run as it happened (a scenario that failed before recording is listed as missing).
 */

const ROOT = new URL('../', import.meta.url).pathname;
const EXPECTED = ['Crash loop', 'Faults', 'Hostile input'];

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'slagate-chaos-results-'));
  project.provide('chaosResultsDir' as never, dir as never);
  const started = new Date();
  return () => {
    const figures = readdirSync(dir).filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ChaosFigures);
    writeFileSync(join(ROOT, 'RELIABILITY.md'), renderReliability(figures, started, new Date()));
    rmSync(dir, { recursive: true, force: true });
    console.log(`RELIABILITY.md written (${figures.length} scenarios)`);
  };
}

/** The command as run, with the environment that changes what the suite does. */
function commandLine(): string {
  const vars = ['CHAOS_MAILS', 'CHAOS_CASES', 'CHAOS_SEED']
    .filter((v) => process.env[v] !== undefined).map((v) => `${v}=${process.env[v]}`);
  return [...vars, 'npm run chaos'].join(' ');
}

export function renderReliability(figures: ChaosFigures[], started: Date, ended: Date): string {
  const sum = (f: (x: ChaosFigures) => number) => figures.reduce((a, x) => a + f(x), 0);
  const faults = (x: ChaosFigures) => Object.values(x.faults).reduce((a, b) => a + b, 0);
  const missing = EXPECTED.filter((name) => !figures.some((f) => f.scenario === name));
  const lines = [
    '# Reliability: what the fault-injection suite tried, and what happened',
    '',
    'Written by `npm run chaos` at the end of its last run; do not edit by hand.',
    '',
    `- Command: \`${commandLine()}\``,
    `- Date: ${started.toISOString()} (took ${Math.round((ended.getTime() - started.getTime()) / 1000)} s)`,
    `- Totals: ${sum((x) => x.mails)} mails, ${sum(faults)} faults injected, ` +
      `${sum((x) => x.lost)} lost, ${sum((x) => x.duplicated)} duplicated, ` +
      `${sum((x) => x.ambiguousSmtpDuplicates ?? 0)} ambiguous SMTP duplicates`,
    ...(missing.length ? [`- **Missing scenarios (failed before recording figures): ${missing.join(', ')}**`] : []),
    '',
    '| scenario | mails | faults injected | lost | duplicated | ambiguous SMTP duplicates | time |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...figures.map((x) => `| ${x.scenario} | ${x.mails} | ${faults(x)} | ${x.lost} | ${x.duplicated} | ${x.ambiguousSmtpDuplicates ?? '-'} | ${Math.round(x.durationMs / 1000)} s |`),
    '',
  ];
  for (const x of figures) {
    lines.push(`## ${x.scenario}`, '', x.tried, '', '| fault | count |', '|---|---:|',
      ...Object.entries(x.faults).sort().map(([k, v]) => `| ${k} | ${v} |`), '');
    if (x.notes?.length) lines.push(...x.notes.map((n) => `- ${n}`), '');
  }
  lines.push(
    '## How to read it',
    '',
    '- **lost**: a mail in the mailbox that did not become a stored raw mail with a ticket (hostile input: one that was neither stored nor quarantined with a reason).',
    '- **duplicated**: a mail stored twice, or two tickets for one mail.',
    '- **ambiguous SMTP duplicates**: extra copies at the SMTP sink. They can only come from the window between the server\'s 250 and our markSent (a kill -9 or a process exit while sends are there: at most one per SMTP connection) or a connection dropped after DATA; the suite fails if there are more than those could make.',
    '- PostgreSQL server restarts (`pg_ctl restart -m fast`) hit a cluster the faults scenario creates for itself (test/helpers/private-postgres.ts), never the machine\'s shared server.',
    '- Replay a run with `CHAOS_SEED=<seed>` (printed in each scenario); scale with `CHAOS_MAILS` and `CHAOS_CASES`.',
    '',
  );
  return lines.join('\n');
}
