import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The embedded database's folder holds every complaint's text (tables, WAL): only the user the
 * gateway runs as may read it. PostgreSQL keeps its own cluster 0700/0600; this narrows what an
 * older version or an operator left open, the folder around it (token secret, outgoing mail), and
 * the umask for whatever the process writes beside it.
 */
export function keepEmbeddedDataPrivate(dataDir: string): void {
  try {
    process.umask(0o077);
  } catch {
    // A worker thread may not set it (ERR_WORKER_UNSUPPORTED_OPERATION); the main thread's applies.
  }
  // Folders created here (the data folder included) are 0700 from the start.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  narrow(dataDir);
  // The folder around it holds the token secret and the outgoing mail (./data in local mode);
  // it is narrowed too, unless it is a folder the operator works in (the current one, home, /).
  const parent = dirname(resolve(dataDir));
  if (![process.cwd(), homedir(), '/'].includes(parent) && (lstatSync(parent).mode & 0o077) !== 0) chmodSync(parent, 0o700);
}

/** Every folder under `path` 0700 and every file without group/other bits. */
export function narrowPrivateTree(path: string): void {
  narrow(path);
}

function narrow(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o077) !== 0) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) narrow(join(path, name));
  } else if ((stat.mode & 0o077) !== 0) {
    chmodSync(path, stat.mode & 0o700);
  }
}
