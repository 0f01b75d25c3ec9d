import { readdirSync, readFileSync } from 'node:fs';

/** CPU time used so far by the servers the pipelines talk to, in milliseconds. */
export interface ServerCpu { postgres: number; dovecot: number }

/** Linux counts CPU time in clock ticks of 10 ms (USER_HZ 100) in /proc/<pid>/stat. */
const MS_PER_TICK = 10;

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
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const server = serverOf(name);
    if (!server) continue;
    // Fields after the name: utime, stime, cutime and cstime are the 12th to 15th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    total[server] += ticks * MS_PER_TICK;
  }
  return total;
}

function serverOf(name: string): keyof ServerCpu | null {
  if (name.startsWith('postgres')) return 'postgres';
  // Dovecot's master and the processes it starts (imap, imap-login, auth, log, anvil, config, stats).
  if (/^(dovecot|imap|imap-login|auth|log|anvil|config|stats)$/.test(name)) return 'dovecot';
  return null;
}
