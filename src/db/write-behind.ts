/**
 * Writes of one transaction whose answers nobody waits for. Each is sent without waiting for its
 * answer and the caller goes on: the statements still run one after the other in the order they
 * were sent (postgres.js pipelines them on the transaction's connection), so
 * a later read sees every write sent before it, and the round trip a write would have cost on its
 * own is shared with the next statement that is waited for. An ingest batch waits only for its
 * reads.
 */
export interface WriteBehind {
  /** Sends a write now; the transaction waits for it before it commits. */
  defer(write: Promise<unknown>): void;
}

/**
 * Runs `work` with a write-behind and waits for every deferred write before returning or
 * throwing, so the caller commits only once they all succeeded and rolls back only once none is
 * left in flight. A failure is reported by its cause: once one statement fails, PostgreSQL fails
 * every later one of the transaction with 25P02 ("current transaction is aborted"), and whichever
 * of those `work` happened to wait for says nothing about what went wrong (or whether a retry
 * can help).
 */
export async function withWriteBehind<T>(work: (writes: WriteBehind) => Promise<T>): Promise<T> {
  const deferred: Promise<unknown>[] = [];
  const writes: WriteBehind = {
    defer(write) {
      write.catch(() => {}); // seen below, not an unhandled rejection meanwhile
      deferred.push(write);
    },
  };
  let result: T;
  try {
    result = await work(writes);
  } catch (err) {
    // Every deferred write settles before the caller rolls back: a write of two statements (a
    // message, then its attachments) sends its second only once the first answers, and sent
    // after the ROLLBACK it would run outside this transaction (postgres.js runs it on the
    // connection, perhaps in the next transaction to use it).
    const cause = await firstFailure(deferred);
    throw isAbortedTransaction(err) ? cause ?? err : err;
  }
  const failure = await firstFailure(deferred);
  if (failure !== undefined) throw failure;
  return result;
}

/**
 * `write` handed to the write-behind when there is one (resolves at once), else `write` itself to
 * wait for: repositories' callers write `await deferOr(ctx.writes, insertX(...))` either way.
 */
export function deferOr(writes: WriteBehind | undefined, write: Promise<unknown>): Promise<unknown> {
  if (!writes) return write;
  writes.defer(write);
  return Promise.resolve();
}

/** The first failure in the order the writes were deferred, preferring a cause over its 25P02 echoes. */
async function firstFailure(deferred: Promise<unknown>[]): Promise<unknown> {
  // Writes may be deferred while these settle (a write's own follow-up): wait for those too.
  let settled: PromiseSettledResult<unknown>[] = [];
  for (let seen = -1; seen !== deferred.length;) {
    seen = deferred.length;
    settled = await Promise.allSettled(deferred);
  }
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  return failures.find((f) => !isAbortedTransaction(f)) ?? failures[0];
}

/** SQLSTATE 25P02, in_failed_sql_transaction, on the error or on what it wraps (drizzle wraps the driver's). */
export function isAbortedTransaction(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === '25P02') return true;
  }
  return false;
}
