import { readdirSync } from 'node:fs';
import { readProcStat } from './proc-stat.js';

/**
 * The bench process's CPU time split by thread, in milliseconds. process.cpuUsage gives one
 * total; this says which threads spent it:
 * - `main`: the JavaScript main thread (the pipeline under test, and the SMTP sink);
 * - `helpers`: the threads the process had before the run. These are V8's platform workers,
 *   which optimise hot functions and do the garbage collector's parallel and concurrent work for
 *   every isolate in the process (a worker thread's too), and libuv's pool;
 * - `started`: threads started during the run. Their time is
 *   the rest of the total, because a thread that has ended no longer has an entry in /proc, but
 *   its time is still in the process's rusage.
 */
export interface ThreadCpu { main: number; helpers: number; started: number }

export interface ThreadCpuMark { totalMs: number; byThread: Map<string, number> }

export function markThreadCpu(): ThreadCpuMark {
  const usage = process.cpuUsage();
  const byThread = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readProcStat(`/proc/self/task/${tid}/stat`);
    if (stat) byThread.set(tid, stat.ownMs); // null: ended between the listing and the read
  }
  return { totalMs: (usage.user + usage.system) / 1000, byThread };
}

export function threadCpuSince(before: ThreadCpuMark): ThreadCpu {
  const after = markThreadCpu();
  const mainTid = String(process.pid);
  const since = (tid: string) => (after.byThread.get(tid) ?? before.byThread.get(tid) ?? 0) - (before.byThread.get(tid) ?? 0);
  const main = since(mainTid);
  let helpers = 0;
  for (const tid of before.byThread.keys()) if (tid !== mainTid) helpers += since(tid);
  return { main, helpers, started: Math.max(0, after.totalMs - before.totalMs - main - helpers) };
}
