/**
 * Statements of one transaction that need nothing of each other's answers, sent together: one
 * round trip instead of one each, and the connection still runs them one after the other in the
 * order given (postgres.js pipelines them).
 *
 * Not Promise.all: when a statement fails, the transaction is aborted and every later one fails
 * too ("current transaction is aborted", 25P02), and those can settle first. Everything is let
 * settle and the first failure in the order given is raised: the cause, which is what decides
 * whether the work is worth retrying and what a quarantined mail's reason says.
 */
export async function pipelineStatements<T extends readonly unknown[]>(
  statements: readonly [...{ [K in keyof T]: PromiseLike<T[K]> }],
): Promise<T> {
  // Widened for the rule await-thenable, which cannot see through the mapped tuple type.
  const settled = await Promise.allSettled(statements as readonly PromiseLike<unknown>[]);
  const values: unknown[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    values.push(outcome.value);
  }
  return values as unknown as T;
}
