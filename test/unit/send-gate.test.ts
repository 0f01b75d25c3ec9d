import { describe, expect, it } from 'vitest';
import { createSendGate } from '../../src/smtp/send-gate.js';

describe('the send gate', () => {
  it('lets at most its size in, and the others in arrival order as places free', async () => {
    const gate = createSendGate(2);
    const entered: number[] = [];
    const leaves = new Map<number, () => void>();
    const enter = (n: number) => gate.enter().then((leave) => { entered.push(n); leaves.set(n, leave); });
    const all = [1, 2, 3, 4, 5].map(enter);
    await new Promise((r) => setImmediate(r));
    expect(entered).toEqual([1, 2]);
    leaves.get(2)!();
    await new Promise((r) => setImmediate(r));
    expect(entered).toEqual([1, 2, 3]);
    leaves.get(1)!();
    leaves.get(3)!();
    await new Promise((r) => setImmediate(r));
    expect(entered).toEqual([1, 2, 3, 4, 5]);
    await Promise.all(all);
  });

  it('counts a second leave of the same holder once', async () => {
    const gate = createSendGate(1);
    const first = await gate.enter();
    first();
    first();
    const second = await gate.enter();
    let third = false;
    void gate.enter().then(() => { third = true; });
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    second();
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(true);
  });
});
