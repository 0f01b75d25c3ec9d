import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { eventually } from '../helpers/eventually.js';

/**
 * The newcomer's path, end to end and out of process: `slagate start` on the embedded database
 * (PostgreSQL run by slagate, no DATABASE_URL) in an empty folder, then `slagate demo` against it,
 * and the other commands on the same data while the gateway runs and after it stopped. The config is the
 * built-in one with system-chosen ports, so the test never fights another for 2525 or 8025.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/slagate.js');
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'slagate-demo-'));
  writeFileSync(join(cwd, 'slagate.json'), JSON.stringify({ ...DEFAULT_CONFIG_INPUT, localMail: { port: 0 }, http: { port: 0 } }));
}, 120_000);
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

/** Tue 2026-12-01 10:00 in Istanbul: the month's first business day, when the monthly report goes out as the gateway starts. */
const FIRST_BUSINESS_DAY = Date.parse('2026-12-01T07:00:00Z');

it.each([
  { when: 'now', at: null },
  { when: 'on the first business day of a month', at: FIRST_BUSINESS_DAY },
])('slagate start on the embedded database, then slagate demo ($when): tickets printed, acknowledgements written as .eml files', async ({ at }) => {
  rmSync(join(cwd, 'data'), { recursive: true, force: true });
  const shifted = at === null ? {} : {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${join(ROOT, 'test/helpers/shifted-clock.mjs')}`.trim(),
    SLAGATE_TEST_CLOCK_OFFSET_MS: String(at - Date.now()),
  };
  const env = { ...process.env, DATABASE_URL: '', SLAGATE_CONFIG: '', ...shifted };
  const gateway = spawn(process.execPath, [CLI, 'start', '--config', 'slagate.json'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  gateway.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
  try {
    await eventually(() => existsSync(join(cwd, 'data/gateway.json')), 60_000, 'the gateway to announce itself');

    const demo = spawnSync(process.execPath, [CLI, 'demo', '--config', 'slagate.json'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(demo.status, demo.stderr).toBe(0);
    console.log(demo.stdout);
    const ticketLines = demo.stdout.split('\n').filter((l) => /^\s+SR-\d+/.test(l));
    // The complaint is private: the API the demo reads never shows it (issue 20), it is only named.
    expect(ticketLines.length).toBeGreaterThanOrEqual(4);
    expect(ticketLines.some((l) => /critical/.test(l))).toBe(true);
    expect(ticketLines.some((l) => /complaint|private|YN-/.test(l))).toBe(false);
    expect(demo.stdout).toContain('1 complaint to management: private');
    expect(demo.stdout).toMatch(/sent: client reply to SR-\d+/);
    const files = readdirSync(join(cwd, 'data/outgoing')).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    // The demo's own acknowledgements, not every file: in the first business days of a month the
    // gateway queues the manager's monthly report as it starts, before the demo, which prints only
    // what its mails caused. Comparing the first three files failed from the 1st at 09:00 to the 3rd.
    const acknowledgements = files.filter((f) => /_acknowledgement\./.test(f));
    expect(acknowledgements.length).toBeGreaterThanOrEqual(3);
    for (const f of acknowledgements) expect(demo.stdout).toContain(f);
    if (at !== null) expect(files.some((f) => /_monthly-report\./.test(f))).toBe(true);

    // Any other command works on the running gateway's database meanwhile.
    const listed = spawnSync(process.execPath, [CLI, 'tickets', 'list', '--config', 'slagate.json'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(listed.status, listed.stderr).toBe(0);
    const teamTickets = ticketLines.filter((l) => !/private/.test(l)).map((l) => /SR-\d+/.exec(l)![0]);
    for (const number of teamTickets) expect(listed.stdout).toContain(number);
  } finally {
    gateway.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) console.log(logs);
    expect(code).toBe(0);
  }
  // A clean stop withdraws the announcement, so a later demo says plainly that nothing runs.
  expect(existsSync(join(cwd, 'data/gateway.json'))).toBe(false);
  const late = spawnSync(process.execPath, [CLI, 'demo', '--config', 'slagate.json'], { cwd, env, encoding: 'utf8', timeout: 30_000 });
  expect(late.status).toBe(75);
  expect(late.stderr).toMatch(/start it first with `npx slagate start`/i);
  // The stopped gateway's data opens for a command of its own, which leaves no server behind.
  const after = spawnSync(process.execPath, [CLI, 'tickets', 'list', '--config', 'slagate.json'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  expect(after.status, after.stderr).toBe(0);
  expect(after.stdout).toMatch(/SR-1000/);
  await eventually(() => !serverRunningOn(join(cwd, 'data/postgres')), 30_000, 'the server to stop after the last command');
}, 150_000);

/** Whether PostgreSQL's lock file in the folder names a live server. */
function serverRunningOn(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
