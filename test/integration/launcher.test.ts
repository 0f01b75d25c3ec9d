import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * bin/slagate.js is what `npx slagate`, `npm start` and an installed `slagate` run: a file both sh
 * and node read, so that node starts with the heap flags slagate's memory target depends on.
 */
const LAUNCHER = fileURLToPath(new URL('../../bin/slagate.js', import.meta.url));
const BUSYBOX = '/bin/busybox'; // installed by .ci/run, as Dovecot is

// Loaded before the CLI: prints the flags and arguments node was started with, then exits.
const SHOW_START = '--import=data:text/javascript,process.stdout.write(JSON.stringify({flags:process.execArgv,args:process.argv.slice(2)}));process.exit(0)';

function startedWith(command: string, args: string[]): { flags: string[]; args: string[] } {
  const run = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: SHOW_START } });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { flags: string[]; args: string[] };
}

describe('the launcher', () => {
  const ARGS = ['--config', '/tmp/a config.json', 'tickets', '--limit', '$HOME', "it's"];

  it('starts node with the young generation capped and every argument unchanged, through its #!/bin/sh', () => {
    expect(startedWith(LAUNCHER, ARGS)).toEqual({ flags: ['--max-semi-space-size=8'], args: ARGS });
  });

  it('does the same when /bin/sh is BusyBox (Alpine)', () => {
    expect(startedWith(BUSYBOX, ['sh', LAUNCHER, ...ARGS])).toEqual({ flags: ['--max-semi-space-size=8'], args: ARGS });
  });

  it('still runs the CLI when node is handed the file itself, without the flag', () => {
    const run = spawnSync(process.execPath, [LAUNCHER, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: slagate');
  });
});
