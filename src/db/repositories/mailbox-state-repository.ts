import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { leases, mailboxCheckpoints } from '../schema/mailbox-state.js';

/**
 * Where each mailbox's IMAP ingestion stands, and who may move it. A lease's token grows on
 * every takeover; checkpoint writes carry the writer's token and owner and land only while the
 * lease row still holds both, so a process that stalled (GC pause, frozen VM) and lost its lease
 * can never move a checkpoint afterwards.
 */

export interface Checkpoint { uidvalidity: number; lastUid: number }

export interface LeaseClaim { name: string; owner: string; token: number }

/**
 * Takes the lease when it is free, expired, or already held under our owner name (a restart).
 * Returns the new fencing token, or null when another owner holds it.
 */
export async function acquireLease(db: Db, name: string, owner: string, ttlMs: number, now: Date): Promise<number | null> {
  const expiresAt = new Date(now.getTime() + ttlMs);
  const rows = await db.insert(leases)
    .values({ name, owner, token: 1, expiresAt })
    .onConflictDoUpdate({
      target: leases.name,
      // Every acquisition is a new token, also our own re-acquisition after a restart under the
      // same instance name: the previous incarnation may still be alive and must be fenced off.
      set: { owner, expiresAt, token: sql`${leases.token} + 1` },
      setWhere: or(lt(leases.expiresAt, now), eq(leases.owner, owner)),
    })
    .returning({ token: leases.token });
  return rows[0]?.token ?? null;
}

/** Extends a lease we still hold (same owner and token). False means it was taken over. */
export async function renewLease(db: Db, claim: LeaseClaim, ttlMs: number, now: Date): Promise<boolean> {
  const rows = await db.update(leases)
    .set({ expiresAt: new Date(now.getTime() + ttlMs) })
    .where(and(eq(leases.name, claim.name), eq(leases.owner, claim.owner), eq(leases.token, claim.token)))
    .returning({ token: leases.token });
  return rows.length === 1;
}

/**
 * Lets the next owner in at once. The row stays (expired) so the token keeps growing: deleting
 * it would restart tokens at 1 and revive the fence of a long-gone owner.
 */
export async function releaseLease(db: Db, claim: LeaseClaim): Promise<boolean> {
  const rows = await db.update(leases)
    .set({ expiresAt: new Date(0) })
    .where(and(eq(leases.name, claim.name), eq(leases.owner, claim.owner), eq(leases.token, claim.token)))
    .returning({ token: leases.token });
  return rows.length === 1;
}

export async function getCheckpoint(db: Db, mailbox: string): Promise<Checkpoint | null> {
  const rows = await db.select({ uidvalidity: mailboxCheckpoints.uidvalidity, lastUid: mailboxCheckpoints.lastUid })
    .from(mailboxCheckpoints).where(eq(mailboxCheckpoints.mailbox, mailbox));
  return rows[0] ?? null;
}

export interface AdvanceCheckpointInput {
  mailbox: string;
  uidvalidity: number;
  uid: number;
  leaseName: string;
  owner: string;
  token: number;
  now: Date;
}

/**
 * `advanced`: written. `unchanged`: the stored checkpoint is already at or past `uid` for this
 * UIDVALIDITY (checkpoints never move backwards within one UIDVALIDITY). `lease-lost`: the lease
 * no longer carries this owner and token, nothing was written.
 *
 * A different UIDVALIDITY replaces the stored one whatever its UID: that is how a recreated
 * folder resets the checkpoint (to 0, then forward).
 */
export type AdvanceCheckpointResult = 'advanced' | 'unchanged' | 'lease-lost';

export async function advanceCheckpoint(db: Db, input: AdvanceCheckpointInput): Promise<AdvanceCheckpointResult> {
  return db.transaction(async (tx) => {
    // FOR SHARE holds off a concurrent takeover until this write commits, so the check and the
    // write cannot be split by a new owner.
    const held = await tx.select({ token: leases.token }).from(leases)
      .where(and(eq(leases.name, input.leaseName), eq(leases.owner, input.owner), eq(leases.token, input.token)))
      .for('share');
    if (held.length === 0) return 'lease-lost';
    const rows = await tx.insert(mailboxCheckpoints)
      .values({ mailbox: input.mailbox, uidvalidity: input.uidvalidity, lastUid: input.uid, updatedAt: input.now })
      .onConflictDoUpdate({
        target: mailboxCheckpoints.mailbox,
        set: { uidvalidity: input.uidvalidity, lastUid: input.uid, updatedAt: input.now },
        setWhere: sql`${mailboxCheckpoints.uidvalidity} <> ${input.uidvalidity} or ${mailboxCheckpoints.lastUid} < ${input.uid}`,
      })
      .returning({ mailbox: mailboxCheckpoints.mailbox });
    return rows.length === 1 ? 'advanced' : 'unchanged';
  });
}
