import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

/** util-linux's setpriv: part of every Debian system (util-linux is essential). */
const SETPRIV = '/usr/bin/setpriv';

/**
 * spawn, with the child sent SIGTERM when this process dies, even by SIGKILL. Without it a test or
 * bench run stopped from outside (its afterAll never runs) left its Dovecot and `slagate start`
 * children running, and their databases were never dropped. setpriv sets the parent-death signal
 * and then execs the command, so the child's pid is the command's own (signals, /proc reads).
 * The signal follows the thread that spawned: every vitest config here runs files in forks, whose
 * main thread is the one spawning. Without setpriv, a plain spawn.
 */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', '--', command, ...args], options)
    : spawn(command, args, options);
}
