import type { Sql } from 'postgres';
import { SlagateError } from '../errors.js';

/**
 * A deadline on every postgres.js transaction, for the one failure the server cannot end: a
 * connection the driver itself left stuck. After PostgreSQL went away mid-stream and the pool
 * reconnected, postgres.js 3.4.9 was seen to leave a connection with a prepared statement half
 * sent (the backend `active`, waiting in ClientRead after Parse/Describe, so neither
 * statement_timeout nor idle_in_transaction_session_timeout applies) and the transaction on it
 * pending for good (test/integration/database-cut.test.ts). The caller gets a retryable
 * DB_UNAVAILABLE (a listener answers 451, the MTA retries) instead of waiting forever, and
 * `onWedged` is told: the connection stays reserved, so the gateway exits and is restarted
 * clean (docs/PITFALLS.md), which is harmless by design.
 */
export function withTransactionDeadline<T extends Sql>(sql: T, deadlineMs: number, onWedged?: (err: SlagateError) => void): T {
  return new Proxy(sql, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (key !== 'begin' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let timer: NodeJS.Timeout | undefined;
        let expire!: (err: SlagateError) => void;
        const expired = new Promise<never>((_, reject) => { expire = reject; });
        // The clock starts once the transaction has its connection (postgres.js calls the callback
        // then): waiting for a free connection of the pool is not being stuck. Timed from the
        // call, a burst of more mails than connections made the last of them "wedged", and the
        // gateway restarted for nothing.
        const at = args.findIndex((a) => typeof a === 'function');
        if (at >= 0) {
          const callback = args[at] as (sql: unknown) => unknown;
          args[at] = (sql: unknown) => {
            timer ??= setTimeout(() => {
              const err = new SlagateError('DB_UNAVAILABLE', `a database transaction did not end within ${deadlineMs} ms; the connection is stuck`, { retryable: true });
              onWedged?.(err);
              expire(err);
            }, deadlineMs);
            timer.unref();
            return callback(sql);
          };
        }
        const work = (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args);
        work.catch(() => {}); // it may still settle after the deadline; nobody waits for it then
        return Promise.race([work, expired]).finally(() => clearTimeout(timer));
      };
    },
  });
}
