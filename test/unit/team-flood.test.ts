import { describe, expect, it } from 'vitest';
import { decideTeamNotice, teamFloodCountSince } from '../../src/tickets/team-flood.js';

const limits = { teamFloodThreshold: 20, teamFloodWindowMinutes: 10 };
const at = new Date('2026-03-16T07:04:30Z');

describe('decideTeamNotice (team notifications in a flood)', () => {
  it('tells the team of each ticket up to the threshold, and collapses from there', () => {
    expect(decideTeamNotice(limits, at, 0)).toEqual({ kind: 'each' });
    expect(decideTeamNotice(limits, at, 19)).toEqual({ kind: 'each' });
    expect(decideTeamNotice(limits, at, 20)).toMatchObject({ kind: 'collapse' });
  });

  it('lists a collapsed ticket in its fixed window, sent just after the window ends', () => {
    const notice = decideTeamNotice(limits, at, 50);
    expect(notice).toEqual({
      kind: 'collapse', bucket: Math.floor(at.getTime() / 600_000),
      bucketStart: new Date('2026-03-16T07:00:00Z'), sendAt: new Date('2026-03-16T07:10:30Z'),
    });
    // Every ticket of the same window shares the list; the next window starts another.
    expect(decideTeamNotice(limits, new Date('2026-03-16T07:09:59Z'), 50)).toMatchObject({ bucket: (notice as { bucket: number }).bucket });
    expect(decideTeamNotice(limits, new Date('2026-03-16T07:10:00Z'), 50)).toMatchObject({ bucket: (notice as { bucket: number }).bucket + 1 });
  });

  it('counts over the sliding window before now', () => {
    expect(teamFloodCountSince(limits, at)).toEqual(new Date('2026-03-16T06:54:30Z'));
  });
});
