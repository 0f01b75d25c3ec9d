import { readFileSync } from 'node:fs';

/** Linux counts CPU time in clock ticks of 10 ms (USER_HZ 100) in /proc's stat files. */
const MS_PER_TICK = 10;

/** A process's or thread's name and CPU time from its /proc stat file, in milliseconds. */
export interface ProcStat {
  name: string;
  /** utime + stime: its own time. */
  ownMs: number;
  /** cutime + cstime: the time of the children it has reaped. */
  childrenMs: number;
}

/** Reads /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat; null when it ended before the read. */
export function readProcStat(path: string): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  // The name is in parentheses and may hold spaces; utime, stime, cutime and cstime are the 12th
  // to 15th fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(fields[i] ?? 0);
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ownMs: (ticks(11) + ticks(12)) * MS_PER_TICK,
    childrenMs: (ticks(13) + ticks(14)) * MS_PER_TICK,
  };
}
