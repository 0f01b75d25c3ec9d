import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { computeDeadlines, type DeadlineInput } from '../../src/sla/deadlines.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

function ticket(over: Partial<DeadlineInput> = {}): DeadlineInput {
  return {
    priority: 'medium', receivedAt: ist('2026-03-13 17:30'), firstResponseAt: null, qualifiedAt: null,
    resolvedAt: null, pauses: [], ...over,
  };
}

describe('computeDeadlines', () => {
  it('explains a Friday-evening medium ticket in one sentence', () => {
    const d = computeDeadlines(ticket(), DEFAULT_POLICY);
    expect(d.firstResponse).toMatchObject({
      clock: 'first-response', calendar: 'business', zone: 'Europe/Istanbul', targetMinutes: 240,
      countedFrom: ist('2026-03-13 17:30'), due: ist('2026-03-16 12:30'), met: null, pausedSince: null, holidays: [],
    });
    expect(d.firstResponse.text).toBe(
      'received Fri 2026-03-13 17:30 (+03:00); counted from 17:30; 240 working minutes on business ' +
      '(Europe/Istanbul, Mon-Fri 09:00-18:00); skipped weekend Sat 2026-03-14, Sun 2026-03-15; due Mon 2026-03-16 12:30',
    );
    expect(d.qualification).toBeNull();
    expect(d.resolution).toBeNull();
  });

  // Issue 24: an extended target must say where its minutes came from, or the due time looks wrong.
  it('says what a #sla extension added to a target', () => {
    const d = computeDeadlines(ticket({ extraMinutes: { firstResponse: 60, resolution: 0 } }), DEFAULT_POLICY);
    expect(d.firstResponse.targetMinutes).toBe(300);
    expect(d.firstResponse.due).toEqual(ist('2026-03-16 13:30'));
    expect(d.firstResponse.text).toContain('; 300 working minutes (240 + 60 added by #sla extend) on business ');
    const plain = computeDeadlines(ticket({ firstResponseAt: ist('2026-03-16 10:00'), qualifiedAt: ist('2026-03-16 11:00'),
      extraMinutes: { firstResponse: 0, resolution: 120 } }), DEFAULT_POLICY);
    expect(plain.firstResponse.text).not.toContain('#sla');
    expect(plain.resolution!.text).toContain('4440 working minutes (4320 + 120 added by #sla extend)');
  });

  it('counts from the next opening when the mail arrives at night, and names the holidays crossed', () => {
    const d = computeDeadlines(ticket({ receivedAt: ist('2026-03-18 22:10') }), DEFAULT_POLICY);
    expect(d.firstResponse.countedFrom).toEqual(ist('2026-03-19 09:00'));
    // Thu 19 Mar works 09:00-13:00, so four hours end at the half day's close.
    expect(d.firstResponse.due).toEqual(ist('2026-03-19 13:00'));
    expect(d.firstResponse.holidays).toEqual(['2026-03-19']);
    expect(d.firstResponse.text).toContain('counted from Thu 2026-03-19 09:00');
    expect(d.firstResponse.text).toContain('half day Thu 2026-03-19');
  });

  it('starts qualification at the first response with the first-response target', () => {
    const d = computeDeadlines(ticket({ firstResponseAt: ist('2026-03-16 10:00') }), DEFAULT_POLICY);
    expect(d.firstResponse.met).toEqual(ist('2026-03-16 10:00'));
    expect(d.qualification).toMatchObject({ start: ist('2026-03-16 10:00'), targetMinutes: 240, due: ist('2026-03-16 14:00') });
  });

  it('starts resolution when qualification ends and crosses the Bayram', () => {
    const d = computeDeadlines(ticket({
      priority: 'high', firstResponseAt: ist('2026-03-16 10:00'), qualifiedAt: ist('2026-03-18 16:00'),
    }), DEFAULT_POLICY);
    // 12 h: Wed 2 h, Thu half day 4 h, Bayram 20-22, Mon 23 Mar 6 h -> 15:00.
    expect(d.resolution).toMatchObject({ clock: 'resolution', targetMinutes: 720, due: ist('2026-03-23 15:00') });
    expect(d.resolution!.holidays).toEqual(['2026-03-19', '2026-03-20']);
  });

  it('adds back the working time of each pause on the resolution clock', () => {
    const d = computeDeadlines(ticket({
      priority: 'high', firstResponseAt: ist('2026-04-06 09:30'), qualifiedAt: ist('2026-04-06 10:00'),
      pauses: [{ start: ist('2026-04-06 12:00'), end: ist('2026-04-07 10:00') }],
    }), DEFAULT_POLICY);
    // Unpaused the 12 h would end Tue 13:00; the pause took Mon 12-18 and Tue 9-10 = 7 h.
    expect(d.resolution!.pauses).toEqual([{ start: ist('2026-04-06 12:00'), end: ist('2026-04-07 10:00'), workingMinutes: 420 }]);
    expect(d.resolution!.due).toEqual(ist('2026-04-08 11:00'));
    expect(d.resolution!.text).toContain('(+420 working minutes)');
  });

  it('has no resolution due while waiting on the client', () => {
    const d = computeDeadlines(ticket({
      priority: 'high', firstResponseAt: ist('2026-04-06 09:30'), qualifiedAt: ist('2026-04-06 10:00'),
      pauses: [{ start: ist('2026-04-06 12:00'), end: null }],
    }), DEFAULT_POLICY);
    expect(d.resolution).toMatchObject({ due: null, pausedSince: ist('2026-04-06 12:00') });
  });

  it('ignores a pause that starts after the deadline', () => {
    const d = computeDeadlines(ticket({
      priority: 'critical', firstResponseAt: ist('2026-04-06 09:30'), qualifiedAt: ist('2026-04-06 10:00'),
      pauses: [{ start: ist('2026-04-06 20:00'), end: ist('2026-04-07 10:00') }],
    }), DEFAULT_POLICY);
    expect(d.resolution).toMatchObject({ due: ist('2026-04-06 17:00'), pauses: [] });
  });

  it('gives low priority no resolution deadline', () => {
    const d = computeDeadlines(ticket({ priority: 'low', firstResponseAt: ist('2026-03-16 10:00'), qualifiedAt: ist('2026-03-16 11:00') }), DEFAULT_POLICY);
    expect(d.firstResponse.due).toEqual(ist('2026-03-16 16:30')); // 30 min Friday, 7.5 h Monday
    expect(d.resolution).toBeNull();
  });

  it('recomputes from the original start when the priority changes', () => {
    const received = ist('2026-03-13 17:30');
    expect(computeDeadlines(ticket({ priority: 'critical', receivedAt: received }), DEFAULT_POLICY).firstResponse)
      .toMatchObject({ calendar: '24x7', start: received, due: ist('2026-03-13 18:30') });
    expect(computeDeadlines(ticket({ priority: 'high', receivedAt: received }), DEFAULT_POLICY).firstResponse)
      .toMatchObject({ calendar: 'business', start: received, due: ist('2026-03-16 10:30') });
  });
});
