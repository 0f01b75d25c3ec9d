/** Polls `check` until it returns a value, or throws after `timeoutMs`; the poll itself is cheap. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>, options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}
