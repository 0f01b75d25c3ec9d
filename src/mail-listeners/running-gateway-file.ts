import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import { isProcessAlive } from '../db/process-alive.js';

/**
 * Where a running `slagate start` says it listens. The ports may be chosen by the system (port
 * 0) and the embedded database is locked by the gateway, so `slagate demo` learns the addresses
 * here rather than from the config alone.
 */
export interface RunningGateway {
  pid: number;
  http: { host: string; port: number } | null;
  /** The local SMTP listener; null when the mailboxes are read over IMAP. */
  smtp: { host: string; port: number } | null;
  /** Absolute folder of the .eml files in local mail mode; null when mail goes to an SMTP server. */
  outDir: string | null;
  /**
   * The pipe's socket: `slagate ingest` hands mail to the gateway here (LMTP) instead of opening
   * the database itself, if `database` (mail-listeners/database-key.ts) is the one its own config
   * names; the addresses are what it puts in RCPT TO for `--mailbox`.
   */
  ingest?: { socket: string; database: string; support: string; management: string } | null;
}

/** Beside the embedded database folder (./data by default), whichever database is in use. */
export function runningGatewayPath(config: Config): string {
  return join(dirname(resolve(config.database.dataDir)), 'gateway.json');
}

/** The pipe's LMTP socket, in a run/ folder beside gateway.json (`ingest-socket-path.ts` reads it without the config). */
export function ingestSocketPath(config: Config): string {
  return join(dirname(resolve(config.database.dataDir)), 'run', 'ingest.sock');
}

export function writeRunningGateway(config: Config, info: RunningGateway): () => void {
  const path = runningGatewayPath(config);
  mkdirSync(dirname(path), { recursive: true });
  // Written whole then renamed, so a reader never sees half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(tmp, path);
  return () => {
    // Another instance in the same folder may have written its own since: leave that one.
    if (readRunningGateway(config)?.pid === info.pid) rmSync(path, { force: true });
  };
}

/** Null when no gateway wrote the file, or its process is gone. */
export function readRunningGateway(config: Config): RunningGateway | null {
  let info: RunningGateway;
  try {
    info = JSON.parse(readFileSync(runningGatewayPath(config), 'utf8')) as RunningGateway;
  } catch {
    return null;
  }
  return isProcessAlive(info.pid) ? info : null;
}
