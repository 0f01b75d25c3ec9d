import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SlagateError } from '../errors.js';

/**
 * PGlite is a single-process database: two processes on one data folder corrupt it. A lock file
 * with our pid makes the second one stop with a clear message instead (a stale lock of a dead
 * process is taken over).
 */
export function lockEmbeddedDatabase(dataDir: string): () => void {
  const path = join(dataDir, 'slagate.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => { try { unlinkSync(path); } catch { /* already gone */ } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && pid !== process.pid && isProcessAlive(pid)) {
        throw new SlagateError('DB_UNAVAILABLE',
          `the embedded database in ${dataDir} is in use by process ${pid} (is \`slagate start\` running?). ` +
          'Send mail to its local SMTP listener instead, or configure DATABASE_URL to share a PostgreSQL server.',
          { retryable: true });
      }
      try { unlinkSync(path); } catch { /* raced with another cleaner */ }
    }
  }
  throw new SlagateError('DB_UNAVAILABLE', `could not lock the embedded database in ${dataDir}`, { retryable: true });
}

/** Whether a process with this pid exists (EPERM: it does, but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
