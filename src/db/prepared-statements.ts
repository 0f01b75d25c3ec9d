import type { Sql } from 'postgres';

/**
 * postgres.js with every parameterised statement prepared (named and kept per connection).
 *
 * drizzle hands postgres.js `prepare: false` for every query it did not `.prepare()` itself, and
 * postgres.js then sends each parameterised statement as an unnamed one that it must first
 * describe to learn the parameter types: Parse/Describe, wait for the answer, then Bind/Execute.
 * Two round trips and a fresh parse per statement, and an ingest runs about a dozen of them.
 * Prepared, the first use on a connection describes once and every later one is one round trip
 * with no parse. The statements a connection keeps are bounded by the distinct SQL texts the
 * repositories build, and postgres.js retires connections after max_lifetime anyway.
 *
 * Transactions and savepoints get the same wrapping, since drizzle runs a transaction's queries
 * on the connection object postgres.js passes to begin(). Statements without parameters (DDL,
 * migrations, several statements in one string) are left as they are: they need no describe.
 * Behind a pooler in transaction mode (PgBouncer, Supavisor) named statements break: `?prepare=false`
 * in database.url turns them off for the whole client, which postgres.js lets win over this.
 */
export function withPreparedStatements<T extends Sql>(sql: T, onStatement?: () => void): T {
  return wrap(sql, onStatement);
}

type Callback = (sql: unknown) => unknown;

function wrap<T extends object>(target: T, onStatement: (() => void) | undefined): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'unsafe') {
        // Arguments passed on as given: postgres.js reads unsafe(query, options) only when called
        // with exactly two, so a third is added only where there are parameters to prepare.
        return (...args: unknown[]) => {
          onStatement?.();
          if (Array.isArray(args[1]) && args[1].length > 0) args[2] = { ...(args[2] as object | undefined), prepare: true };
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      }
      if (key === 'begin' || key === 'savepoint') {
        return (...args: unknown[]) => {
          // BEGIN and its COMMIT (or SAVEPOINT and its RELEASE): two statements postgres.js sends itself.
          onStatement?.();
          onStatement?.();
          const at = args.findIndex((a) => typeof a === 'function');
          if (at >= 0) {
            const callback = args[at] as Callback;
            args[at] = (inner: object) => callback(wrap(inner, onStatement));
          }
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      }
      return value;
    },
  });
}
