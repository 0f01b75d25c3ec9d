import { Readable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { IngestInput, IngestOutcome } from '../../src/inbound/ingest-types.js';
import { fetchEnvelopes } from '../../src/imap/fetch-new-messages.js';
import type { ImapSession } from '../../src/imap/open-session.js';
import { syncFolder, type SyncDeps } from '../../src/imap/sync-folder.js';
import { oneAtATime } from '../helpers/one-at-a-time-intake.js';

/**
 * One pass over a fake folder. The fake can make a UID answer FETCH with nothing, either because
 * it is gone (another client expunged it) or while it is still there (a server hiccup): the
 * checkpoint may pass the first, never the second.
 */

interface FakeMail { uid: number; internalDate?: Date | string; size?: number }

function fakeFolder(mails: FakeMail[], opts: { silent?: number[]; expunged?: number[] } = {}) {
  const present = new Set(mails.map((m) => m.uid).filter((uid) => !opts.expunged?.includes(uid)));
  const answers = (uid: number) => present.has(uid) && !opts.silent?.includes(uid);
  const moved: number[] = [];
  const searches: string[] = [];
  const sourceFetches: string[] = [];
  const streamed: number[] = [];
  const inRange = (uid: number, range: string) => {
    const [lo, hi] = range.split(':');
    if (hi === undefined) return uid === Number(lo);
    return uid >= Number(lo) && (hi === '*' || uid <= Number(hi));
  };
  const session = {
    mailbox: { uidValidity: 7n },
    capabilities: new Map([['MOVE', true]]),
    getMailboxLock: async () => ({ release: () => {} }),
    list: async () => [{ path: 'INBOX' }, { path: 'Processed' }, { path: 'Quarantine' }],
    mailboxCreate: async () => ({}),
    // The listing still includes expunged and silent UIDs: it ran before they went away.
    search: async (query: { uid: string }) => {
      searches.push(query.uid);
      const pool = query.uid.includes(':') ? mails.map((m) => m.uid) : [...present];
      return pool.filter((uid) => inRange(uid, query.uid));
    },
    fetchAll: async (range: string, query: { source?: boolean }) => (query.source ? sourceFetches.push(range) : 0, range.split(',').map(Number).filter(answers).map((uid) => {
      const m = mails.find((x) => x.uid === uid)!;
      if (query.source) return { uid, source: Buffer.from(`mail ${uid}`) };
      return { uid, size: m.size ?? 100, internalDate: m.internalDate ?? new Date('2025-03-03T09:00:00Z'), envelope: { messageId: `<m${uid}@x>` } };
    })),
    fetchOne: async (uid: string) => (answers(Number(uid)) ? { uid: Number(uid), headers: Buffer.from(`Subject: mail ${uid}\r\n`) } : false),
    // Large mails are streamed: the content arrives in pieces.
    download: async (uid: string) => {
      streamed.push(Number(uid));
      if (!answers(Number(uid))) return { response: false };
      return { meta: {}, content: Readable.from([Buffer.from(`mail `), Buffer.from(uid)]) };
    },
    messageMove: async (range: string) => {
      moved.push(...range.split(',').map(Number));
      return { uidMap: new Map() };
    },
  };
  return { session: session as unknown as ImapSession, moved, searches, sourceFetches, streamed };
}

function depsFor(start: number | null) {
  let stored = start === null ? null : { uidvalidity: 7, lastUid: start };
  const ingested: IngestInput[] = [];
  const logs: { level: string; obj: Record<string, unknown> }[] = [];
  const recording = pino({ level: 'debug' }, { write: (line: string) => {
    const obj = JSON.parse(line) as Record<string, unknown>;
    logs.push({ level: pino.levels.labels[obj.level as number]!, obj });
  } });
  const deps: SyncDeps = {
    mailbox: 'support', folder: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine',
    maxMessageBytes: 10_000, logger: recording,
    clock: () => new Date('2025-03-03T12:00:00Z'),
    intake: oneAtATime(async (input) => {
      ingested.push(input);
      return { decision: 'new-ticket', acknowledge: true, reason: 'test', rawMailId: ingested.length, ticket: null } satisfies IngestOutcome;
    }),
    crashPoint: () => {},
    checkpoints: {
      get: async () => stored,
      advance: async (uidvalidity, uid) => {
        if (stored && stored.uidvalidity === uidvalidity && stored.lastUid >= uid) return 'unchanged';
        stored = { uidvalidity, lastUid: uid };
        return 'advanced';
      },
    },
  };
  return { deps, ingested, logs, checkpoint: () => stored?.lastUid };
}

describe('a pass over the folder', () => {
  it('checkpoints below a mail that is still in the folder but returned no data, and retries it next pass', async () => {
    const mails = [{ uid: 11 }, { uid: 12 }, { uid: 13 }];
    const first = fakeFolder(mails, { silent: [12] });
    const { deps, ingested, logs, checkpoint } = depsFor(10);

    const result = await syncFolder(first.session, deps);

    expect(ingested.map((i) => i.imap?.uid)).toEqual([11]);
    expect(checkpoint()).toBe(11);
    expect(result).toMatchObject({ checkpoint: 11, seen: 1, retryUid: 12 });
    expect(first.moved).toEqual([11]);
    expect(first.searches).toContain('12');
    expect(logs.find((l) => l.level === 'warn')?.obj).toMatchObject({ code: 'IMAP_COMMAND_FAILED', uid: 12 });

    // The server hands it over on the next pass: nothing was buried below the checkpoint.
    const second = fakeFolder(mails.filter((m) => m.uid !== 11));
    await syncFolder(second.session, deps);
    expect(ingested.map((i) => i.imap?.uid)).toEqual([11, 12, 13]);
    expect(checkpoint()).toBe(13);
  });

  it('never checkpoints past a UID left out of the envelope FETCH, even when a higher one is handled', async () => {
    // Silent in the batch FETCH as well as in the body FETCH: the UID never reaches handleOne.
    const { session } = fakeFolder([{ uid: 1 }, { uid: 2 }, { uid: 3 }], { silent: [1] });
    const { deps, ingested, checkpoint } = depsFor(0);
    const result = await syncFolder(session, deps);
    expect(ingested).toEqual([]);
    expect(checkpoint()).toBe(0);
    expect(result.retryUid).toBe(1);
  });

  it('skips a mail another client expunged between the listing and the fetch, with an info log', async () => {
    const { session, moved } = fakeFolder([{ uid: 11 }, { uid: 12 }, { uid: 13 }], { expunged: [12] });
    const { deps, ingested, logs, checkpoint } = depsFor(10);

    const result = await syncFolder(session, deps);

    expect(ingested.map((i) => i.imap?.uid)).toEqual([11, 13]);
    expect(moved).toEqual([11, 13]);
    expect(checkpoint()).toBe(13);
    expect(result.retryUid).toBeUndefined();
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(logs.find((l) => l.obj.uid === 12)?.level).toBe('info');
  });

  it('ingests a mail whose INTERNALDATE is garbage at the time of ingestion instead of failing the pass', async () => {
    const { session } = fakeFolder([{ uid: 1, internalDate: 'not a date' }, { uid: 2, internalDate: new Date('nonsense') }]);
    const { deps, ingested, checkpoint } = depsFor(0);
    await syncFolder(session, deps);
    expect(ingested.map((i) => i.receivedAt.toISOString())).toEqual(['2025-03-03T12:00:00.000Z', '2025-03-03T12:00:00.000Z']);
    expect(checkpoint()).toBe(2);
  });
});

describe('batched IMAP IO', () => {
  it('downloads a batch of sources in one FETCH and moves it in one MOVE', async () => {
    const { session, moved, sourceFetches } = fakeFolder([{ uid: 1 }, { uid: 2 }, { uid: 3 }, { uid: 4 }]);
    const { deps, ingested, checkpoint } = depsFor(0);
    await syncFolder(session, { ...deps, uidsPerStep: 3 });
    expect(sourceFetches).toEqual(['1,2,3', '4']);
    expect(ingested.map((i) => i.imap?.uid)).toEqual([1, 2, 3, 4]);
    expect(moved).toEqual([1, 2, 3, 4]);
    expect(checkpoint()).toBe(4);
  });

  it('fetches small mails in batches, streams large ones one by one, and never fetches the body of an oversized mail', async () => {
    const mb = 1024 * 1024;
    const { session, sourceFetches, streamed } = fakeFolder([
      { uid: 1, size: 12 * mb }, { uid: 2, size: 12 * mb }, { uid: 3, size: 90 * mb }, { uid: 4, size: 100 }, { uid: 5, size: 100 },
    ]);
    const { deps, ingested } = depsFor(0);
    const quarantined: number[] = [];
    await syncFolder(session, {
      ...deps, maxMessageBytes: 50 * mb,
      intake: { ...deps.intake, quarantineOversized: async (input) => {
        quarantined.push(input.imap.uid);
        return { decision: 'quarantined', acknowledge: false, reason: 'too large', rawMailId: null, ticket: null };
      } },
    });
    expect(sourceFetches).toEqual(['4,5']);
    expect(streamed).toEqual([1, 2]);
    expect(ingested.map((i) => i.imap?.uid)).toEqual([1, 2, 4, 5]);
    expect(ingested[0]!.raw.toString()).toBe('mail 1');
    expect(quarantined).toEqual([3]);
  });
});

describe('ingesting the mails of a fetch together', () => {
  const committed = (uid: number): IngestOutcome => ({ decision: 'new-ticket', acknowledge: true, reason: 'test', rawMailId: uid, ticket: null });

  it('hands the mails fetched whole over together, and a streamed one alone after those before it', async () => {
    const mb = 1024 * 1024;
    const { session, moved } = fakeFolder([{ uid: 1 }, { uid: 2 }, { uid: 3, size: 6 * mb }, { uid: 4 }, { uid: 5 }]);
    const { deps, checkpoint } = depsFor(0);
    const batches: number[][] = [];
    await syncFolder(session, {
      ...deps, maxMessageBytes: 50 * mb,
      intake: { ...deps.intake, ingest: async (inputs) => {
        batches.push(inputs.map((i) => i.imap!.uid));
        return { outcomes: inputs.map((i) => committed(i.imap!.uid)) };
      } },
    });
    // One port: the streamed mail is a hand-over of its own (it was a separate one-mail callback).
    expect(batches).toEqual([[1, 2], [3], [4, 5]]);
    expect(moved).toEqual([1, 2, 3, 4, 5]);
    expect(checkpoint()).toBe(5);
  });

  it('moves what a failed batch committed, checkpoints only below the first mail it did not, and fails the pass', async () => {
    const { session, moved } = fakeFolder([{ uid: 1 }, { uid: 2 }, { uid: 3 }, { uid: 4 }]);
    const { deps, checkpoint } = depsFor(0);
    const failure = Object.assign(new Error('database went away'), { code: 'DB_UNAVAILABLE' });
    const pass = syncFolder(session, {
      ...deps,
      // 1 and 3 committed (a quarantine and a mail before the failure, say); 2 and 4 did not.
      intake: { ...deps.intake, ingest: async () => ({ outcomes: [committed(1), undefined, committed(3), undefined], failure }) },
    });
    await expect(pass).rejects.toBe(failure);
    expect(moved).toEqual([1, 3]);
    expect(checkpoint()).toBe(1);
  });
});

describe('fetching and preparing the next batch while one commits', () => {
  const committed = (uid: number): IngestOutcome => ({ decision: 'new-ticket', acknowledge: true, reason: 'test', rawMailId: uid, ticket: null });

  it('hands the next batch\'s very sources to the intake (comingNext) before this batch\'s commit ends, and moves each batch only after its own commit', async () => {
    const folder = fakeFolder([{ uid: 1 }, { uid: 2 }, { uid: 3 }, { uid: 4 }, { uid: 5 }]);
    const events: string[] = [];
    const messageMove = folder.session.messageMove.bind(folder.session);
    Object.assign(folder.session, { messageMove: async (range: string, ...rest: unknown[]) => {
      events.push(`move ${range}`);
      return (messageMove as (...a: unknown[]) => unknown)(range, ...rest);
    } });
    const { deps, checkpoint } = depsFor(0);
    const preparedAhead: Buffer[] = [];
    const handed: Buffer[] = [];
    await syncFolder(folder.session, {
      ...deps, uidsPerStep: 2,
      intake: { ...deps.intake, comingNext: (raws) => {
        preparedAhead.push(...raws);
        events.push(`prepare ${raws.map((r) => r.toString()).join(',')}`);
      }, ingest: async (inputs) => {
        const uids = inputs.map((i) => i.imap!.uid).join(',');
        events.push(`commit ${uids} begins`);
        handed.push(...inputs.map((i) => i.raw));
        await new Promise((resolve) => setTimeout(resolve, 20)); // the database's time
        events.push(`commit ${uids} ends`);
        return { outcomes: inputs.map((i) => committed(i.imap!.uid)) };
      } },
    });
    expect(events).toEqual([
      'commit 1,2 begins', 'prepare mail 3,mail 4', 'commit 1,2 ends', 'move 1,2',
      'commit 3,4 begins', 'prepare mail 5', 'commit 3,4 ends', 'move 3,4',
      'commit 5 begins', 'commit 5 ends', 'move 5',
    ]);
    // The same Buffers: what was prepared ahead is found ready, not parsed again.
    expect(preparedAhead.every((raw) => handed.includes(raw))).toBe(true);
    expect(checkpoint()).toBe(5);
  });

  it('after a failed batch, moves and checkpoints nothing fetched ahead, and lets the folder go only once that fetch is over', async () => {
    const folder = fakeFolder([{ uid: 1 }, { uid: 2 }, { uid: 3 }, { uid: 4 }]);
    const events: string[] = [];
    const fetchAll = folder.session.fetchAll.bind(folder.session);
    Object.assign(folder.session, {
      getMailboxLock: async () => ({ release: () => events.push('folder released') }),
      fetchAll: async (...args: unknown[]) => {
        const rows = await (fetchAll as (...a: unknown[]) => Promise<unknown>)(...args);
        await new Promise((resolve) => setTimeout(resolve, 10));
        events.push(`fetched ${String(args[0])}`);
        return rows;
      },
    });
    const { deps, checkpoint } = depsFor(0);
    const failure = Object.assign(new Error('database went away'), { code: 'DB_UNAVAILABLE' });
    const pass = syncFolder(folder.session, {
      ...deps, uidsPerStep: 2,
      intake: { ...deps.intake, comingNext: () => {}, ingest: async () => ({ outcomes: [committed(1), undefined], failure }) },
    });
    await expect(pass).rejects.toBe(failure);
    expect(folder.moved).toEqual([1]);
    expect(checkpoint()).toBe(1);
    expect(events.at(-1)).toBe('folder released');
    expect(events).toContain('fetched 3,4');
  });
});

describe('envelopes', () => {
  it('turns an unparseable INTERNALDATE into null and keeps a valid one', async () => {
    const { session } = fakeFolder([
      { uid: 1, internalDate: 'garbage' },
      { uid: 2, internalDate: new Date(Number.NaN) },
      { uid: 3, internalDate: '03-Mar-2025 10:00:00 +0000' },
    ]);
    const envelopes = await fetchEnvelopes(session, [1, 2, 3]);
    expect(envelopes.map((e) => e.internalDate?.toISOString() ?? null)).toEqual([null, null, '2025-03-03T10:00:00.000Z']);
  });
});
