import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { main } from '../../src/cli.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

const configDirs: string[] = [];

/** Writes a JSON config (the built-in local setup plus overrides) to a temp file; returns its path. */
export function writeTestConfig(overrides: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slagate-cli-'));
  configDirs.push(dir);
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ ...structuredClone(DEFAULT_CONFIG_INPUT), tokenSecret: 'test-token-secret-0123456789', ...overrides }));
  return path;
}

/** Removes every config writeTestConfig wrote: call it from the test file's afterAll. */
export function removeTestConfigs(): void {
  for (const dir of configDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs `slagate ARGS...` in-process with captured output, optional standard input, and stderr
 * posing as a terminal when `tty` is set (progress output only shows on one).
 */
export async function runCli(args: string[], options: { stdin?: Buffer | string; tty?: boolean } = {}): Promise<CliResult> {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  let outText = '';
  let errText = '';
  out.on('data', (c: Buffer) => { outText += c.toString(); });
  err.on('data', (c: Buffer) => { errText += c.toString(); });
  const code = await main(['node', 'slagate', ...args], {
    out, err, in: options.stdin === undefined ? undefined : Readable.from([Buffer.from(options.stdin)]),
  });
  return { code, out: outText, err: errText };
}
