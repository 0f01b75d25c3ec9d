import { describe, expect, it } from 'vitest';
import { createSentRecorder, type SentRecord } from '../../src/workers/sent-recorder.js';

const sent = (id: number): SentRecord => ({ id, now: new Date('2026-03-16T09:00:00Z'), recipients: {} });

/** A write the test finishes by hand, so it decides what arrives while a statement runs. */
function manualWrites(lost: Set<number> = new Set()) {
  const batches: number[][] = [];
  const finishers: ((fail?: Error) => void)[] = [];
  const write = (batch: SentRecord[]) => {
    batches.push(batch.map((s) => s.id));
    return new Promise<Set<number>>((resolve, reject) => {
      finishers.push((fail) => (fail ? reject(fail) : resolve(new Set(batch.map((s) => s.id).filter((id) => !lost.has(id))))));
    });
  };
  const finishNext = async (fail?: Error) => {
    await Promise.resolve();
    finishers.shift()!(fail);
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, finishNext };
}

describe('recording sent mails', () => {
  it('writes the first at once and those that finish meanwhile together, each answered for itself', async () => {
    const w = manualWrites(new Set([3]));
    const recorder = createSentRecorder(w.write);
    const first = recorder.record(sent(1));
    expect(w.batches).toEqual([[1]]);
    const later = [2, 3, 4].map((id) => recorder.record(sent(id)));
    expect(w.batches).toEqual([[1]]); // nothing starts while a statement runs
    await w.finishNext();
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    await w.finishNext();
    expect(await first).toBe(true);
    expect(await Promise.all(later)).toEqual([true, false, true]); // 3 had lost its lease
  });

  it('fails only the batch whose statement failed, and goes on with the next', async () => {
    const w = manualWrites();
    const recorder = createSentRecorder(w.write);
    const first = recorder.record(sent(1)).catch((err: unknown) => err);
    const second = recorder.record(sent(2));
    await w.finishNext(new Error('connection lost'));
    expect(await first).toEqual(new Error('connection lost'));
    await w.finishNext();
    expect(await second).toBe(true);
    const third = recorder.record(sent(3));
    expect(w.batches).toEqual([[1], [2], [3]]);
    await w.finishNext();
    expect(await third).toBe(true);
  });

  it('writes a refused batch again one row at a time, so one bad row does not leave the others unrecorded', async () => {
    const refused = new Error('unsupported Unicode escape sequence (22P05)');
    const batches: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const recorder = createSentRecorder(async (batch) => {
      batches.push(batch.map((s) => s.id));
      if (batches.length === 1) await gate;
      if (batch.some((s) => s.id === 3)) throw refused;
      return new Set(batch.map((s) => s.id));
    }, { retryAlone: (err) => err === refused });
    const first = recorder.record(sent(1));
    const later = [2, 3, 4].map((id) => recorder.record(sent(id)).catch((err: unknown) => err));
    release();
    expect(await first).toBe(true);
    expect(await Promise.all(later)).toEqual([true, refused, true]);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('does not split a batch the database could not take at all: each waits for a later pass', async () => {
    const unavailable = new Error('connection refused');
    let writes = 0;
    const recorder = createSentRecorder(async () => { writes++; throw unavailable; }, { retryAlone: (err) => err !== unavailable });
    const first = recorder.record(sent(1)).catch((err: unknown) => err);
    const more = [2, 3].map((id) => recorder.record(sent(id)).catch((err: unknown) => err));
    expect(await first).toBe(unavailable);
    expect(await Promise.all(more)).toEqual([unavailable, unavailable]);
    expect(writes).toBe(2);
  });
});
