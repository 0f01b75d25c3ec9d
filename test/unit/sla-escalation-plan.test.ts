import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import {
  eventKind, holdForStaff, planSlaEvents, recipientsFor, type SlaState,
} from '../../src/sla/escalation-plan.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

function state(over: Partial<SlaState> = {}): SlaState {
  return {
    priority: 'medium', status: 'new', assignee: null, receivedAt: ist('2026-03-16 09:00'), firstResponseAt: null,
    qualifiedAt: null, resolvedAt: null, pauses: [], firedKeys: new Set(), ...over,
  };
}

const plan = (s: SlaState, now: string) => planSlaEvents(s, DEFAULT_POLICY, ist(now));

describe('planSlaEvents', () => {
  it('waits for the reminder at 75% of the first-response target', () => {
    // Medium: 240 working minutes from Mon 09:00; 75% = 180 min -> 12:00.
    expect(plan(state(), '2026-03-16 11:59')).toEqual({ due: [], nextAt: ist('2026-03-16 12:00') });
  });

  it('fires the reminder at 75%, the breach at 100% and the manager step at 150%, each once', () => {
    const deadline = ist('2026-03-16 13:00');
    const reminder = plan(state(), '2026-03-16 12:00');
    expect(reminder.due).toEqual([{
      clock: 'first-response', level: 'reminder', deadline, at: ist('2026-03-16 12:00'),
      key: `first-response:reminder:${deadline.toISOString()}`,
    }]);
    expect(reminder.nextAt).toEqual(deadline);

    const fired = new Set([reminder.due[0]!.key]);
    const breach = plan(state({ firedKeys: fired }), '2026-03-16 13:00');
    expect(breach.due.map((e) => e.level)).toEqual(['breach']);
    // 150% = 360 min: Mon 09:00-15:00.
    expect(breach.nextAt).toEqual(ist('2026-03-16 15:00'));

    fired.add(breach.due[0]!.key);
    const manager = plan(state({ firedKeys: fired }), '2026-03-16 15:00');
    expect(manager.due.map((e) => e.level)).toEqual(['manager']);
    fired.add(manager.due[0]!.key);
    expect(plan(state({ firedKeys: fired }), '2026-03-20 10:00')).toEqual({ due: [], nextAt: null });
  });

  it('fires every missed step in order after a long outage', () => {
    expect(plan(state(), '2026-03-17 09:00').due.map((e) => e.level)).toEqual(['reminder', 'breach', 'manager']);
  });

  it('measures the thresholds in working time over the weekend', () => {
    // Friday 17:30: 75% of 240 = 180 min -> 30 Fri + 150 Mon -> Mon 11:30.
    expect(plan(state({ receivedAt: ist('2026-03-13 17:30') }), '2026-03-13 18:00').nextAt).toEqual(ist('2026-03-16 11:30'));
  });

  it('reminds once when qualification takes longer than a first response may', () => {
    const s = state({ firstResponseAt: ist('2026-03-16 10:00') });
    expect(plan(s, '2026-03-16 13:59')).toEqual({ due: [], nextAt: ist('2026-03-16 14:00') });
    const p = plan(s, '2026-03-16 14:00');
    expect(p.due).toMatchObject([{ clock: 'qualification', level: 'reminder', deadline: ist('2026-03-16 14:00') }]);
    expect(p.nextAt).toBeNull();
  });

  it('runs the resolution ladder from qualification, and stops while paused', () => {
    const s = state({ priority: 'high', firstResponseAt: ist('2026-03-16 09:30'), qualifiedAt: ist('2026-03-16 10:00') });
    // 75% of 720 = 540 min = Mon 10:00-18:00 plus Tue 09:00-10:00.
    expect(plan(s, '2026-03-16 12:00').nextAt).toEqual(ist('2026-03-17 10:00'));
    const paused = { ...s, pauses: [{ start: ist('2026-03-16 11:00'), end: null }] };
    expect(plan(paused, '2026-03-20 12:00')).toEqual({ due: [], nextAt: null });
    const resumed = { ...s, pauses: [{ start: ist('2026-03-16 11:00'), end: ist('2026-03-17 11:00') }] };
    // The pause took 9 working hours; the reminder moves by as much.
    expect(plan(resumed, '2026-03-17 11:00').nextAt).toEqual(ist('2026-03-18 10:00'));
  });

  it('plans nothing for resolved tickets and for low priority after qualification', () => {
    expect(plan(state({ status: 'resolved', resolvedAt: ist('2026-03-16 10:00') }), '2026-03-20 10:00')).toEqual({ due: [], nextAt: null });
    const low = state({ priority: 'low', firstResponseAt: ist('2026-03-16 10:00'), qualifiedAt: ist('2026-03-16 11:00') });
    expect(plan(low, '2026-04-20 10:00')).toEqual({ due: [], nextAt: null });
  });

  it('gives a changed deadline new keys, so a priority change starts a fresh ladder', () => {
    const medium = plan(state(), '2026-03-16 12:00').due[0]!;
    const high = plan(state({ priority: 'high', firedKeys: new Set([medium.key]) }), '2026-03-16 12:00');
    // High: 120 min -> reminder 10:30, breach 11:00, manager 12:00: all past, all with new keys.
    expect(high.due.map((e) => [e.level, e.deadline])).toEqual([
      ['reminder', ist('2026-03-16 11:00')], ['breach', ist('2026-03-16 11:00')], ['manager', ist('2026-03-16 11:00')],
    ]);
  });
});

describe('holdForStaff', () => {
  it('sends critical notifications at any hour', () => {
    expect(holdForStaff(ist('2026-03-21 03:00'), 'critical', DEFAULT_POLICY)).toEqual(ist('2026-03-21 03:00'));
  });
  it('holds other staff mail until the next business opening', () => {
    expect(holdForStaff(ist('2026-03-13 19:00'), 'high', DEFAULT_POLICY)).toEqual(ist('2026-03-16 09:00'));
    expect(holdForStaff(ist('2026-03-16 10:00'), 'medium', DEFAULT_POLICY)).toEqual(ist('2026-03-16 10:00'));
  });
});

describe('who hears of a step', () => {
  it('climbs the ladder: assignee or team, lead, manager', () => {
    expect(['reminder', 'breach', 'manager'].map((l) => recipientsFor(l as 'reminder', false))).toEqual(['assignee-or-team', 'lead', 'manager']);
  });
  it('tells only managers about private tickets', () => {
    expect(['reminder', 'breach', 'manager'].map((l) => recipientsFor(l as 'reminder', true))).toEqual(['manager', 'manager', 'manager']);
  });
  it('records the step under its event kind', () => {
    expect(eventKind({ clock: 'first-response', level: 'breach' })).toBe('sla-breach');
    expect(eventKind({ clock: 'resolution', level: 'manager' })).toBe('sla-escalated-manager');
    expect(eventKind({ clock: 'qualification', level: 'reminder' })).toBe('qualification-reminder');
  });
});
