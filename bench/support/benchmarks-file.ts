import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { ADMIN_URL } from '../../test/helpers/postgres-admin.js';

/**
 * BENCHMARKS.md is written by the benches, never by hand. Each bench file owns one section
 * (between `<!-- bench:NAME -->` markers): running one file replaces only its own section and the
 * machine header, and the file is replaced atomically (write aside, then rename), so a run that
 * dies half-way leaves the previous figures intact.
 */

export const BENCHMARKS_PATH = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

/** One figure next to its target; `met` is undefined when there is no target to meet. */
export interface BenchFigure {
  what: string;
  value: string;
  target?: string;
  met?: boolean;
  /** The figure before the change a section measures (an issue's "now"): a column of its own when given. */
  before?: string;
}

export interface BenchSection {
  /** Stable key; also the section's marker. */
  name: string;
  title: string;
  command: string;
  figures: BenchFigure[];
  /** Free text under the table: setup, counts, what was measured and how. */
  notes: string[];
}

const ORDER = ['first-ten-minutes', 'embedded-database-choice', 'ingest-throughput', 'ack-latency', 'mta-paths', 'sla-sweep', 'reports-at-scale', 'peak-rss'];

/** Prints the figures the way they go into the file, so the console shows the same thing. */
export function printSection(section: BenchSection): void {
  console.log(`\n${section.title}\n${section.figures.map((f) => `  ${f.what}: ${f.value}${f.target ? `  (target ${f.target}: ${verdict(f)})` : ''}`).join('\n')}\n`);
}

export async function recordSection(section: BenchSection, now = new Date()): Promise<void> {
  printSection(section);
  const sections = readSections();
  sections.set(section.name, renderSection(section, now));
  const machine = await describeMachine();
  const names = [...sections.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const text = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (each bench file rewrites its own section); do not edit by hand.',
    '',
    '## Machine (of the latest run)',
    '',
    ...machine.map((m) => `- ${m}`),
    '',
    ...names.map((n) => `<!-- bench:${n} -->\n${sections.get(n)!.trim()}\n<!-- /bench:${n} -->\n`),
  ].join('\n');
  const tmp = `${BENCHMARKS_PATH}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, BENCHMARKS_PATH);
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}

function verdict(f: BenchFigure): string {
  return f.met === undefined ? 'n/a' : f.met ? 'met' : 'NOT met';
}

function renderSection(s: BenchSection, now: Date): string {
  const before = s.figures.some((f) => f.before !== undefined);
  return [
    `## ${s.title}`,
    '',
    `Command: \`${s.command}\` · run ${now.toISOString()}`,
    '',
    before ? '| figure | before | value | target | |' : '| figure | value | target | |',
    before ? '|---|---|---|---|---|' : '|---|---|---|---|',
    ...s.figures.map((f) => `| ${f.what} |${before ? ` ${f.before ?? ''} |` : ''} ${f.value} | ${f.target ?? ''} | ${f.target ? verdict(f) : ''} |`),
    '',
    ...s.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

function readSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(BENCHMARKS_PATH)) return sections;
  const text = readFileSync(BENCHMARKS_PATH, 'utf8');
  for (const m of text.matchAll(/<!-- bench:([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) {
    sections.set(m[1]!, m[2]!);
  }
  return sections;
}

async function describeMachine(): Promise<string[]> {
  const cpu = cpus();
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  let pg = 'unknown';
  try {
    const [row] = await sql<{ v: string }[]>`select version() as v`;
    pg = row?.v ?? pg;
  } catch (err) {
    pg = `unknown (${(err as Error).message})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  let dovecot = 'not found';
  try {
    dovecot = execFileSync(process.env.SLAGATE_TEST_DOVECOT ?? '/usr/sbin/dovecot', ['--version'], { encoding: 'utf8' }).trim();
  } catch { /* reported as not found */ }
  return [
    `CPU: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} cores`,
    `Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `Node: ${process.version} (${process.platform} ${process.arch})`,
    `PostgreSQL: ${pg}`,
    `Dovecot: ${dovecot}`,
  ];
}
