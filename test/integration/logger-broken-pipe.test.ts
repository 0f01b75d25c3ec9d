import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, stopGatewayProcess } from '../helpers/chaos-gateway-process.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { removeTestConfigs, writeTestConfig } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Whoever reads slagate's stderr may go away (`2>&1 | head`, a log shipper that died) or stall (a
 * paused pager, a slow log driver). With pino's default destination a process that then exited
 * with lines still queued never did: sonic-boom's flushSync retried the failing write every 100 ms
 * inside process.exit, and SIGTERM went unheard. Writing synchronously instead froze the event
 * loop for as long as a reader stalled.
 */
const LOGGER = pathToFileURL(fileURLToPath(new URL('../../dist/logger.js', import.meta.url))).href;

/** Spawns with stderr's read end closed at once; resolves with how the process ended, or 'hung'. */
function runWithStderrGone(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.destroy();
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'hung'>((resolve) => {
    const hung = setTimeout(() => { child.kill('SIGKILL'); resolve('hung'); }, 15_000);
    child.once('exit', (code, signal) => {
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

  it('does not hold the process up while the reader stalls', async () => {
    const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
      const logger = createLogger();
      const started = performance.now();
      for (let i = 0; i < 200; i++) logger.info({ filler: 'x'.repeat(1000) }, 'line ' + i);
      process.stdout.write(String(Math.round(performance.now() - started)));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.pause(); // 200 KB of lines against a 64 KiB pipe nobody drains for 3 s
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const resume = setTimeout(() => child.stderr.resume(), 3_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(resume);
    expect(code).toBe(0);
    expect(Number(out)).toBeLessThan(1_000); // ms the 200 calls took; a blocking write waits out the 3 s
  });

  it('leaves slagate start answering SIGTERM once it is up', async () => {
    const port = await freePort();
    const config = writeTestConfig({
      database: { url: database.url, dataDir: join(dir, 'postgres') }, // gateway.json is written beside it
      http: { host: '127.0.0.1', port },
      localMail: { host: '127.0.0.1', port: 0, outDir: join(dir, 'outgoing') },
    });
    const gateway = startGatewayProcess(config);
    gateway.child.stderr!.destroy();
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 'slagate start to answer /healthz');
    expect(await stopGatewayProcess(gateway, 15_000)).toEqual({ code: 0, signal: null });
  });
});
