import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { listNewUids } from '../../src/imap/fetch-new-messages.js';
import { moveProcessed } from '../../src/imap/move-processed.js';
import type { ImapSession } from '../../src/imap/open-session.js';

/** The command helpers take their session as an argument, so a recording fake stands in for a server. */

function fakeSession(capabilities: string[], answers: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const record = (name: string) => async (...args: unknown[]) => {
    calls.push(`${name} ${String(args[0])}`);
    return name in answers ? answers[name] : { uidMap: new Map() };
  };
  const session = {
    capabilities: new Map(capabilities.map((c) => [c, true])),
    messageMove: record('move'),
    messageCopy: record('copy'),
    messageDelete: async (range: string) => { calls.push(`delete ${range}`); return answers.delete ?? true; },
    search: async (query: { uid: string }) => { calls.push(`search ${query.uid}`); return answers.search; },
  };
  return { session: session as unknown as ImapSession, calls };
}

const logger = pino({ level: 'silent' });

describe('moving processed mail', () => {
  it('uses MOVE when the server has it', async () => {
    const { session, calls } = fakeSession(['MOVE', 'UIDPLUS']);
    expect(await moveProcessed(session, [3, 4], 'Processed', logger)).toBe('moved');
    expect(calls).toEqual(['move 3,4']);
  });

  it('treats a MOVE answered with false as a failure, not a success', async () => {
    const { session } = fakeSession(['MOVE'], { move: false });
    await expect(moveProcessed(session, [3], 'Processed', logger)).rejects.toMatchObject({ code: 'IMAP_COMMAND_FAILED' });
  });

  it('falls back to COPY and a UID EXPUNGE only with UIDPLUS', async () => {
    const { session, calls } = fakeSession(['UIDPLUS']);
    expect(await moveProcessed(session, [7], 'Processed', logger)).toBe('copied-and-expunged');
    expect(calls).toEqual(['copy 7', 'delete 7']);
  });

  it('leaves mail in place rather than EXPUNGE other clients\' \\Deleted mail without UIDPLUS', async () => {
    const { session, calls } = fakeSession([]);
    expect(await moveProcessed(session, [7], 'Processed', logger)).toBe('left-in-place');
    expect(calls).toEqual([]);
  });
});

describe('finding new UIDs', () => {
  it('drops the highest UID that UID SEARCH n:* returns even when n is past it', async () => {
    const { session, calls } = fakeSession([], { search: [12] });
    expect(await listNewUids(session, 12)).toEqual([]);
    expect(calls).toEqual(['search 13:*']);
  });

  it('returns the UIDs above the checkpoint in ascending order', async () => {
    const { session } = fakeSession([], { search: [15, 13, 14] });
    expect(await listNewUids(session, 12)).toEqual([13, 14, 15]);
  });

  it('reports a refused SEARCH instead of reading it as an empty folder', async () => {
    const { session } = fakeSession([], { search: false });
    await expect(listNewUids(session, 0)).rejects.toMatchObject({ code: 'IMAP_COMMAND_FAILED' });
  });
});
