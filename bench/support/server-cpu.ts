import { readdirSync } from 'node:fs';
import { readProcStat } from './proc-stat.js';

/** CPU time used so far by the servers the pipelines talk to, in milliseconds. */
export interface ServerCpu { postgres: number; dovecot: number }

/**
 * PostgreSQL's and Dovecot's CPU time, read from /proc. They share the machine's two cores with
 * the bench process, so their time per mail is part of what a pipeline costs.
 *
 * Every live process counts its own time. Each also counts the children it has reaped: a
 * backend or an imap process that ended during a run is no longer listed, but the postmaster or
 * Dovecot's master has added its time to its own. A process's name says whose it is. The
 * machine's one PostgreSQL also serves other databases, which stay idle during a bench.
 */
export function serverCpu(): ServerCpu {
  const total: ServerCpu = { postgres: 0, dovecot: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readProcStat(`/proc/${pid}/stat`);
    const server = stat && serverOf(stat.name);
    if (!server) continue; // not a server of ours, or ended between the listing and the read
    total[server] += stat.ownMs + stat.childrenMs;
  }
  return total;
}

function serverOf(name: string): keyof ServerCpu | null {
  if (name.startsWith('postgres')) return 'postgres';
  // Dovecot's master and the processes it starts (imap, imap-login, auth, log, anvil, config, stats).
  if (/^(dovecot|imap|imap-login|auth|log|anvil|config|stats)$/.test(name)) return 'dovecot';
  return null;
}
