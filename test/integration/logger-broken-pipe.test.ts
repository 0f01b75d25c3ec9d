import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTestConfigs, writeTestConfig } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Whoever reads slagate's stderr may go away (`| head`, a log shipper that died). With pino's
 * default destination a process that then exits with lines still queued never did: sonic-boom's
 * flushSync retried the failing write every 100 ms inside process.exit, and SIGTERM went unheard.
 */
const LOGGER = pathToFileURL(fileURLToPath(new URL('../../dist/logger.js', import.meta.url))).href;
const LAUNCHER = fileURLToPath(new URL('../../bin/slagate.js', import.meta.url));

/** Spawns with stderr's read end closed at once; resolves with how the process ended, or 'hung'. */
function runWithStderrGone(command: string, args: string[], options: { cwd?: string; signalAfterMs?: number } = {}) {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.destroy();
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'hung'>((resolve) => {
    const term = options.signalAfterMs === undefined ? null : setTimeout(() => child.kill('SIGTERM'), options.signalAfterMs);
    const hung = setTimeout(() => { child.kill('SIGKILL'); resolve('hung'); }, (options.signalAfterMs ?? 0) + 15_000);
    child.once('exit', (code, signal) => {
      if (term) clearTimeout(term);
      clearTimeout(hung);
      resolve({ code, signal });
    });
  });
}

let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'slagate-stderr-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  removeTestConfigs();
});

describe('logging with nobody reading stderr', () => {
  it('lets a process exit with log lines still queued', async () => {
    const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
      const logger = createLogger();
      logger.info('one'); logger.info('two'); logger.info('three');
      process.exit(3);`;
    expect(await runWithStderrGone(process.execPath, ['--input-type=module', '-e', script])).toEqual({ code: 3, signal: null });
  });

  it('leaves slagate start answering SIGTERM', async () => {
    const config = writeTestConfig({
      database: { url: database.url },
      http: { host: '127.0.0.1', port: 0 },
      localMail: { host: '127.0.0.1', port: 0, outDir: join(dir, 'outgoing') },
    });
    const ended = await runWithStderrGone(LAUNCHER, ['--config', config, 'start'], { cwd: dir, signalAfterMs: 4_000 });
    expect(ended).not.toBe('hung');
    expect(ended).toEqual({ code: 0, signal: null });
  });
});
