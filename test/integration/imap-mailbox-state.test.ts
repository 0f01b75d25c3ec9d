import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireLease, advanceCheckpoint, getCheckpoint, releaseLease, renewLease,
} from '../../src/db/repositories/mailbox-state-repository.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Leases and fenced checkpoints on the real PostgreSQL (concurrency needs real connections, not mocks). */

let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => { await database.drop(); });

const t = (s: number) => new Date(Date.UTC(2025, 2, 3, 10, 0, s));

describe('mailbox leases', () => {
  it('refuses a live lease to another owner and hands over an expired one with a new token', async () => {
    const a = await acquireLease(database.db, 'l1', 'a', 10_000, t(0));
    expect(a).toBe(1);
    expect(await acquireLease(database.db, 'l1', 'b', 10_000, t(5))).toBeNull();
    expect(await acquireLease(database.db, 'l1', 'b', 10_000, t(11))).toBe(2);
    expect(await renewLease(database.db, { name: 'l1', owner: 'a', token: 1 }, 10_000, t(12))).toBe(false);
    expect(await renewLease(database.db, { name: 'l1', owner: 'b', token: 2 }, 10_000, t(12))).toBe(true);
  });

  it('release lets the next owner in at once, and tokens keep growing', async () => {
    const a = (await acquireLease(database.db, 'l2', 'a', 60_000, t(0)))!;
    expect(await releaseLease(database.db, { name: 'l2', owner: 'a', token: a })).toBe(true);
    expect(await acquireLease(database.db, 'l2', 'b', 60_000, t(1))).toBe(a + 1);
  });

  it('gives exactly one of many simultaneous contenders the lease', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireLease(database.db, 'l3', `w${i}`, 60_000, t(0))));
    expect(results.filter((r) => r !== null)).toEqual([1]);
  });
});

describe('fenced checkpoints', () => {
  const base = { mailbox: 'support', leaseName: 'imap:support', now: t(0) };

  it('moves forward only, under the current token, and never for a stalled former owner', async () => {
    const old = (await acquireLease(database.db, 'imap:support', 'old', 1000, t(0)))!;
    expect(await advanceCheckpoint(database.db, { ...base, uidvalidity: 7, uid: 10, owner: 'old', token: old })).toBe('advanced');
    // The old owner stalls past its TTL; a new owner takes over.
    const fresh = (await acquireLease(database.db, 'imap:support', 'new', 60_000, t(5)))!;
    expect(await advanceCheckpoint(database.db, { ...base, uidvalidity: 7, uid: 50, owner: 'old', token: old })).toBe('lease-lost');
    expect(await advanceCheckpoint(database.db, { ...base, uidvalidity: 7, uid: 20, owner: 'new', token: fresh })).toBe('advanced');
    expect(await advanceCheckpoint(database.db, { ...base, uidvalidity: 7, uid: 15, owner: 'new', token: fresh })).toBe('unchanged');
    expect(await getCheckpoint(database.db, 'support')).toEqual({ uidvalidity: 7, lastUid: 20 });
    // A new UIDVALIDITY resets the position, even to a lower UID.
    expect(await advanceCheckpoint(database.db, { ...base, uidvalidity: 8, uid: 0, owner: 'new', token: fresh })).toBe('advanced');
    expect(await getCheckpoint(database.db, 'support')).toEqual({ uidvalidity: 8, lastUid: 0 });
  });
});
