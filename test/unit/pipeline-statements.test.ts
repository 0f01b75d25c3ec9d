import { describe, expect, it } from 'vitest';
import { pipelineStatements } from '../../src/db/pipeline-statements.js';

/** Statements sent together report the cause of a failure, not what the aborted transaction said after it. */
describe('statements sent together', () => {
  const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => {
    setTimeout(() => resolve(value), ms);
  });
  const failing = (ms: number, err: Error) => new Promise<never>((_resolve, reject) => {
    setTimeout(() => reject(err), ms);
  });

  it('answers in the order given', async () => {
    expect(await pipelineStatements([later(20, 'a'), later(1, 2), later(5, null)])).toEqual(['a', 2, null]);
  });

  it('raises the first failure in the order given, even when a later one settles sooner', async () => {
    const cause = new Error('P0001: boom refused');
    const aborted = new Error('25P02: current transaction is aborted');
    await expect(pipelineStatements([later(1, 'ok'), failing(30, cause), failing(2, aborted)])).rejects.toBe(cause);
  });
});
