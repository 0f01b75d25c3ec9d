/**
 * Test-only crash points: the crash tests start `slagate start` with SLAGATE_CRASH_AT naming one
 * of these, and the process kills itself there with SIGKILL, as a power cut would: no finally
 * blocks, no logout, no lease release. Production never sets it, and then this is a no-op.
 */
export const CRASH_POINTS = ['after-fetch', 'after-staging', 'after-imap-move', 'before-checkpoint'] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

export type CrashPoint = (name: CrashPointName) => void;

/** Builds the hook from `config.testing.crashAt`; an unknown name is refused rather than never firing. */
export function createCrashPoint(crashAt: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): CrashPoint {
  if (!crashAt) return () => {};
  if (!(CRASH_POINTS as readonly string[]).includes(crashAt)) {
    throw new Error(`SLAGATE_CRASH_AT=${crashAt} is not one of ${CRASH_POINTS.join(', ')}`);
  }
  return (name) => {
    if (name === crashAt) kill();
  };
}
