import { describe, expect, it } from 'vitest';
import { deferOr, isAbortedTransaction, withWriteBehind } from '../../src/db/write-behind.js';

const aborted = () => Object.assign(new Error('current transaction is aborted, commands ignored until end of transaction block'), { code: '25P02' });
const wrapped = (cause: Error) => Object.assign(new Error('Failed query: insert ...'), { cause });
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failLater = (ms: number, err: Error) => new Promise<never>((_, reject) => setTimeout(() => reject(err), ms));

describe('writes behind a transaction', () => {
  it('returns only once every deferred write has finished', async () => {
    const done: string[] = [];
    const result = await withWriteBehind(async (writes) => {
      writes.defer(later(30, null).then(() => done.push('slow write')));
      await deferOr(writes, later(10, null).then(() => done.push('fast write')));
      done.push('work');
      return 'outcome';
    });
    expect(result).toBe('outcome');
    expect(done).toEqual(['work', 'fast write', 'slow write']);
  });

  it('raises the cause when a deferred write failed and the read waited for got 25P02', async () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const err = await withWriteBehind(async (writes) => {
      writes.defer(failLater(5, wrapped(cause)));
      writes.defer(failLater(10, wrapped(aborted())));
      await failLater(15, wrapped(aborted()));
    }).catch((e: unknown) => e);
    expect((err as Error).cause).toBe(cause);
  });

  it('raises the failure of the work itself when it is the cause, not the 25P02 of the writes after it', async () => {
    const cause = new Error('invalid input syntax for type json');
    const err = await withWriteBehind(async (writes) => {
      writes.defer(failLater(10, aborted()));
      throw cause;
    }).catch((e: unknown) => e);
    expect(err).toBe(cause);
  });

  it('fails the transaction when only a deferred write failed, with that failure', async () => {
    const cause = new Error('value too long');
    await expect(withWriteBehind(async (writes) => {
      writes.defer(failLater(5, aborted()));
      writes.defer(Promise.reject(cause));
      return 'never committed';
    })).rejects.toBe(cause);
  });

  it('lets the caller roll back only once every deferred write has settled, even when the work itself failed', async () => {
    const done: string[] = [];
    const err = await withWriteBehind(async (writes) => {
      // A write of two statements: the second is only sent once the first has answered.
      writes.defer(later(10, null).then(() => later(10, null)).then(() => done.push('second statement of the write')));
      throw new Error('lock timeout on a read');
    }).catch((e: unknown) => { done.push('rolled back'); return e; });
    expect((err as Error).message).toBe('lock timeout on a read');
    expect(done).toEqual(['second statement of the write', 'rolled back']);
  });

  it('waits without a write-behind: deferOr is then the write itself', async () => {
    let written = false;
    await deferOr(undefined, later(5, null).then(() => { written = true; }));
    expect(written).toBe(true);
  });

  it('recognises 25P02 however deeply the drivers wrap it', () => {
    expect(isAbortedTransaction(aborted())).toBe(true);
    expect(isAbortedTransaction(wrapped(wrapped(aborted())))).toBe(true);
    expect(isAbortedTransaction(new Error('other'))).toBe(false);
    expect(isAbortedTransaction(undefined)).toBe(false);
  });
});

