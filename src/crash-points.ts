/**
 * Test-only crash points: the crash tests start `slagate start` with SLAGATE_CRASH_AT naming one
 * of these, and the process kills itself there with SIGKILL, as a power cut would: no finally
 * blocks, no logout, no lease release. Production never sets it, and then this is a no-op.
 */
export const CRASH_POINTS = [
  'after-fetch', 'after-staging', 'after-ticket-commit', 'after-imap-move', 'before-checkpoint',
  'after-outbox-claim', 'after-smtp-250',
] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

export type CrashPoint = (name: CrashPointName) => void;

/**
 * Builds the hook from `config.testing.crashAt`: `name` kills at the first pass through that
 * point, `name:N` at the Nth, so a crash loop makes progress before each death. An unknown name
 * or a bad count is refused rather than never firing.
 */
export function createCrashPoint(crashAt: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): CrashPoint {
  if (!crashAt) return () => {};
  const [name, count, ...rest] = crashAt.split(':');
  const nth = count === undefined ? 1 : Number(count);
  if (!(CRASH_POINTS as readonly string[]).includes(name!) || rest.length > 0 || !Number.isInteger(nth) || nth < 1) {
    throw new Error(`SLAGATE_CRASH_AT=${crashAt} is not one of ${CRASH_POINTS.join(', ')} (optionally :N, N >= 1)`);
  }
  let passes = 0;
  return (point) => {
    if (point === name && ++passes === nth) kill();
  };
}
