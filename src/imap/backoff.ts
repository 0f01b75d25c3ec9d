/**
 * Exponential backoff with full jitter: attempt 0 waits up to `initialMs`, each further attempt
 * doubles the ceiling up to `maxMs`. Jitter keeps several gateways from reconnecting in step
 * after a server restart. `random` is an input so tests are deterministic.
 */
export function backoffDelay(attempt: number, opts: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  // Never below half the ceiling: a zero wait would be a tight loop against a dead server.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
