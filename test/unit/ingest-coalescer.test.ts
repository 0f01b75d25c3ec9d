import { describe, expect, it } from 'vitest';
import { coalesceIngests } from '../../src/app/ingest/ingest-coalescer.js';
import type { IngestInput, IngestOutcome } from '../../src/inbound/ingest-types.js';
import type { IntakeResult } from '../../src/inbound/mail-intake.js';
import { SlagateError } from '../../src/errors.js';

const input = (n: number): IngestInput => ({ raw: Buffer.from(`mail ${n}`), mailbox: 'support', receivedAt: new Date(0), source: 'lmtp' });
const outcome = (n: number): IngestOutcome => ({ decision: 'new-ticket', acknowledge: true, reason: `mail ${n}`, rawMailId: n, ticket: null });
const numberOf = (i: IngestInput) => Number(i.raw.toString().slice(5));

describe('coalesceIngests', () => {
  it('commits deliveries that arrive together in one batch, and resolves each with its own outcome', async () => {
    const batches: number[][] = [];
    const ingest = coalesceIngests(async (inputs) => {
      batches.push(inputs.map(numberOf));
      return { outcomes: inputs.map((i) => outcome(numberOf(i))) };
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => ingest(input(n))));
    expect(results.map((r) => r.rawMailId)).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('sends what arrives during a batch in the next one, never more than the maximum at once', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const ingest = coalesceIngests(async (inputs) => {
      batches.push(inputs.map(numberOf));
      if (batches.length === 1) await gate;
      return { outcomes: inputs.map((i) => outcome(numberOf(i))) };
    }, { maxMails: 2 });
    const first = ingest(input(1));
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => ingest(input(n)));
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('tells of each mail that must wait for the batch in flight, so it is parsed while that batch commits', async () => {
    const told: number[] = [];
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const ingest = coalesceIngests(async (inputs) => {
      batches.push(inputs.map(numberOf));
      if (batches.length === 1) {
        await gate;
        // Told before their batch started, not when it did.
        expect(told).toEqual([2, 3]);
      }
      return { outcomes: inputs.map((i) => outcome(numberOf(i))) };
    }, {}, (waiting) => told.push(numberOf(waiting)));
    const first = ingest(input(1));
    await new Promise((r) => setImmediate(r));
    const later = [2, 3].map((n) => ingest(input(n)));
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3]]);
    expect(told).toEqual([2, 3]);
  });

  it('keeps a batch within the byte limit, a larger mail going alone', async () => {
    const batches: number[][] = [];
    const ingest = coalesceIngests(async (inputs) => {
      batches.push(inputs.map(numberOf));
      return { outcomes: inputs.map((i) => outcome(numberOf(i))) };
    }, { maxBytes: 13 });
    // 'mail 1'..'mail 4' are 6 bytes each: two fit in 13.
    await Promise.all([1, 2, 3, 4].map((n) => ingest(input(n))));
    expect(batches).toEqual([[1, 2], [3, 4]]);
  });

  it('rejects, retryable, each mail the batch did not commit, and only those', async () => {
    const ingest = coalesceIngests(async (inputs): Promise<IntakeResult> => ({
      outcomes: inputs.map((i, k) => (k === 0 ? outcome(numberOf(i)) : undefined)),
      failure: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    }));
    const settled = await Promise.allSettled([1, 2, 3].map((n) => ingest(input(n))));
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { rawMailId: 1 } });
    for (const s of settled.slice(1)) {
      expect(s.status).toBe('rejected');
      const err = (s as PromiseRejectedResult).reason as SlagateError;
      expect(err.code).toBe('DB_UNAVAILABLE');
      expect(err.retryable).toBe(true);
    }
  });

  it('rejects the whole batch when it throws, and the next delivery still goes through', async () => {
    let calls = 0;
    const ingest = coalesceIngests(async (inputs) => {
      if (++calls === 1) throw new SlagateError('DB_UNAVAILABLE', 'down', { retryable: true });
      return { outcomes: inputs.map((i) => outcome(numberOf(i))) };
    });
    await expect(ingest(input(1))).rejects.toMatchObject({ code: 'DB_UNAVAILABLE' });
    await expect(ingest(input(2))).resolves.toMatchObject({ rawMailId: 2 });
  });
});
