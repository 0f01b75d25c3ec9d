import type { Policy } from '../policy/default-policy.js';
import type { Priority, TicketStatus } from '../policy/priorities.js';
import { calendarFor, type Calendar } from './calendar.js';
import { priorityRule, targetsOf, type SlaExtensions } from './deadlines.js';
import type { SlaClock } from './explain-deadline.js';
import { dueWithPauses, type Pause } from './paused-clock.js';
import { slaStepKey, type SlaLevel } from './sla-step-key.js';
import { nextOpening } from './working-time.js';

/** One step of the escalation ladder for one clock and one deadline. */
export interface SlaEvent {
  clock: SlaClock;
  level: SlaLevel;
  /** The 100% instant of the clock: the deadline the step is about. */
  deadline: Date;
  /** When the step is due (its threshold instant). */
  at: Date;
  /** `${clock}:${level}:${deadline ISO}` (sla-step-key.ts): a new deadline (priority change, pause) is a new step. */
  key: string;
}

export interface SlaState {
  priority: Priority;
  status: TicketStatus | string;
  assignee: string | null;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  pauses: readonly Pause[];
  /** Working minutes added to the targets by `#sla extend`. */
  extraMinutes?: SlaExtensions;
  /** Keys of the steps already fired (sla_alerts). */
  firedKeys: ReadonlySet<string>;
}

export interface SlaPlan {
  /** Steps whose instant has come and that have not fired yet, earliest first. */
  due: SlaEvent[];
  /** The earliest future step; null when nothing is pending (resolved, paused, no target). */
  nextAt: Date | null;
}

export type SlaRecipients = 'assignee-or-team' | 'lead' | 'manager';

function ladder(
  clock: SlaClock, start: Date, target: number, pauses: readonly Pause[], cal: Calendar,
  steps: [SlaLevel, number][],
): SlaEvent[] {
  const deadline = dueWithPauses(start, target, pauses, cal).due;
  if (!deadline) return []; // paused: nothing runs until the client answers
  const events: SlaEvent[] = [];
  for (const [level, fraction] of steps) {
    const at = fraction === 1 ? deadline : dueWithPauses(start, target * fraction, pauses, cal).due;
    if (at) events.push({ clock, level, deadline, at, key: slaStepKey(clock, level, deadline) });
  }
  return events;
}

/** Every escalation step of the clocks that are running now, fired or not. */
export function slaSteps(state: Omit<SlaState, 'firedKeys' | 'assignee'>, policy: Policy): SlaEvent[] {
  if (state.resolvedAt || state.status === 'resolved' || state.status === 'closed') return [];
  const rule = priorityRule(state.priority, policy);
  const cal = calendarFor(state.priority, policy);
  const full: [SlaLevel, number][] = [
    ['reminder', policy.reminderAt], ['breach', policy.breachAt], ['manager', policy.managerAt],
  ];
  const target = targetsOf(rule, state.extraMinutes);
  if (!state.firstResponseAt) return ladder('first-response', state.receivedAt, target.firstResponse, [], cal, full);
  if (!state.qualifiedAt) {
    // Qualification cannot hide work: one reminder once it has taken as long as a first response may.
    return ladder('qualification', state.firstResponseAt, rule.firstResponseMinutes, [], cal, [['reminder', 1]]);
  }
  if (target.resolution === null) return [];
  return ladder('resolution', state.qualifiedAt, target.resolution, state.pauses, cal, full);
}

/** What the sweeper must fire now and when it must look again. */
export function planSlaEvents(state: SlaState, policy: Policy, now: Date): SlaPlan {
  const due: SlaEvent[] = [];
  let nextAt: Date | null = null;
  for (const e of slaSteps(state, policy)) {
    if (state.firedKeys.has(e.key)) continue;
    if (e.at.getTime() <= now.getTime()) due.push(e);
    else if (!nextAt || e.at < nextAt) nextAt = e.at;
  }
  due.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { due, nextAt };
}

/**
 * When a staff notification may go out: at once on a 24/7 calendar (critical), otherwise at the
 * next opening of the priority's business calendar.
 */
export function holdForStaff(at: Date, priority: Priority, policy: Policy): Date {
  const cal = calendarFor(priority, policy);
  return cal.always ? at : nextOpening(at, cal);
}

/** Who hears of a step; private tickets are for managers only. */
export function recipientsFor(level: SlaLevel, isPrivate: boolean): SlaRecipients {
  if (isPrivate) return 'manager';
  return level === 'reminder' ? 'assignee-or-team' : level === 'breach' ? 'lead' : 'manager';
}

export type SlaEventKind = 'sla-reminder' | 'sla-breach' | 'sla-escalated-manager' | 'qualification-reminder';

/** The ticket_events kind recorded for a step. */
export function eventKind(e: Pick<SlaEvent, 'clock' | 'level'>): SlaEventKind {
  if (e.clock === 'qualification') return 'qualification-reminder';
  return e.level === 'reminder' ? 'sla-reminder' : e.level === 'breach' ? 'sla-breach' : 'sla-escalated-manager';
}
