import type { Sql } from 'postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withTransactionDeadline } from '../../src/db/transaction-deadline.js';

/**
 * A transaction that outlives its deadline is a connection the driver left stuck (the gateway then
 * exits and is restarted clean). Waiting for a free connection of the pool is not being stuck.
 */
describe('the deadline of a database transaction', () => {
  afterEach(() => { vi.useRealTimers(); });

  /** begin() as postgres.js runs it: the callback once a connection is free, then COMMIT. */
  function fakeSql(connectionFree: Promise<void>, workMs: number): Sql {
    return {
      begin: async (callback: (sql: unknown) => Promise<unknown>) => {
        await connectionFree;
        const result = await callback({});
        await new Promise((r) => setTimeout(r, workMs));
        return result;
      },
    } as unknown as Sql;
  }

  it('does not count the wait for a connection of the pool', async () => {
    vi.useFakeTimers();
    let free!: () => void;
    const wedged = vi.fn();
    const sql = withTransactionDeadline(fakeSql(new Promise((r) => { free = r; }), 500), 1_000, wedged);
    const outcome = sql.begin(async () => 'committed');
    let settled = false;
    void outcome.then(() => { settled = true; }, () => { settled = true; });
    await vi.advanceTimersByTimeAsync(5_000); // every connection busy with others' transactions
    expect(settled).toBe(false);
    free();
    await vi.advanceTimersByTimeAsync(600);
    await expect(outcome).resolves.toBe('committed');
    expect(wedged).not.toHaveBeenCalled();
  });

  it('ends a transaction that outlives the deadline once it has its connection, and says so', async () => {
    vi.useFakeTimers();
    const wedged = vi.fn();
    const sql = withTransactionDeadline(fakeSql(Promise.resolve(), 1_500), 1_000, wedged);
    const outcome = sql.begin(async () => 'never');
    const seen = expect(outcome).rejects.toMatchObject({ code: 'DB_UNAVAILABLE', retryable: true });
    await vi.advanceTimersByTimeAsync(1_001);
    await seen;
    expect(wedged).toHaveBeenCalledTimes(1);
  });
});
