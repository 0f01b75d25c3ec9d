import type { Policy } from '../policy/default-policy.js';
import { PRIORITIES, type Priority } from '../policy/priorities.js';
import { slaSteps, type SlaEvent } from '../sla/escalation-plan.js';
import type { Pause } from '../sla/paused-clock.js';

/**
 * The managers' morning digest, built from plain rows so what it says can be tested without a
 * database. Critical breaches are not waited for here: the SLA sweeper's notification
 * (`outboxSlaNotify`) already copies managers on them at once; the digest only repeats them among
 * the breached tickets the next morning.
 */

/** An open ticket with what its clocks need. */
export interface DigestOpenTicket {
  id: number;
  number: string;
  subject: string;
  private: boolean;
  priority: Priority;
  status: string;
  assignee: string | null;
  requesterAddress: string;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  /** Set by the sweeper when a clock breached; a later clock may be running fine since. */
  breachedAt: Date | null;
  pauses: Pause[];
  /** `#sla extend` minutes: an extended ticket is not breached at its plain target (issue 24). */
  firstResponseExtraMinutes: number;
  resolutionExtraMinutes: number;
}

/** A breach or manager step the SLA engine fired (sla_alerts). */
export interface DigestSlaEscalation {
  number: string;
  subject: string;
  priority: Priority;
  private: boolean;
  clock: string;
  level: 'breach' | 'manager';
  firedAt: Date;
}

/** A client's [Escalate] reply (ticket_events `client-escalated`). */
export interface DigestClientEscalation {
  number: string;
  subject: string;
  priority: Priority;
  private: boolean;
  at: Date;
  /** The ladder step reached: agent | lead | manager. */
  step: string;
}

/** A ticket flagged for SLA review (ticket_events `special-circumstances`). */
export interface DigestSpecialFlag {
  number: string;
  requesterAddress: string;
  /** The client's local calendar day, YYYY-MM-DD. */
  day: string;
  /** The ticket's rank among the client's tickets that day (4 = the fourth). */
  count: number;
}

export interface DigestInput {
  now: Date;
  /** The previous digest's creation time: escalations and flags are counted from here. */
  since: Date;
  /** The next digest: a step due before it is at risk now. */
  horizon: Date;
  policy: Policy;
  people: readonly { address: string; name: string }[];
  openTickets: DigestOpenTicket[];
  slaEscalations: DigestSlaEscalation[];
  clientEscalations: DigestClientEscalation[];
  specialFlags: DigestSpecialFlag[];
}

export type DigestState = 'breached' | 'at-risk' | 'open';

export interface DigestTicket {
  number: string;
  subject: string;
  priority: Priority;
  requesterAddress: string;
  state: DigestState;
  /** The running clock and its 100% deadline; null when no clock runs (paused, or no target). */
  clock: string | null;
  due: Date | null;
}

export interface DigestMember {
  /** null: nobody is assigned. */
  assignee: string | null;
  name: string;
  priorities: { priority: Priority; tickets: DigestTicket[] }[];
}

export interface DigestEscalation {
  number: string;
  subject: string;
  priority: Priority;
  private: boolean;
  at: Date;
  source: 'sla' | 'client';
  /** The SLA clock that escalated; null for a client's request. */
  clock: string | null;
  /** Whom it went to on the ladder. */
  to: string;
}

export interface DigestSpecialDay {
  client: string;
  day: string;
  tickets: string[];
}

export interface ManagerDigest {
  since: Date;
  until: Date;
  /** Breached and at-risk team tickets by assignee, then priority (most urgent first). */
  members: DigestMember[];
  breachedCount: number;
  atRiskCount: number;
  escalations: DigestEscalation[];
  specialDays: DigestSpecialDay[];
  /** Every open private ticket, whatever its clocks say: only managers handle them. */
  privateTickets: DigestTicket[];
}

/** Groups the rows into the digest; `isEmptyDigest` says whether there is anything to send. */
export function buildManagerDigest(input: DigestInput): ManagerDigest {
  const names = new Map(input.people.map((p) => [p.address, p.name]));
  const byMember = new Map<string | null, DigestTicket[]>();
  const privateTickets: DigestTicket[] = [];
  let breachedCount = 0;
  let atRiskCount = 0;
  for (const row of input.openTickets) {
    const ticket = assess(row, input);
    if (row.private) {
      privateTickets.push(ticket);
      continue;
    }
    if (ticket.state === 'open') continue;
    if (ticket.state === 'breached') breachedCount++;
    else atRiskCount++;
    const list = byMember.get(row.assignee);
    if (list) list.push(ticket);
    else byMember.set(row.assignee, [ticket]);
  }

  const members: DigestMember[] = [...byMember.entries()].map(([assignee, tickets]) => ({
    assignee,
    name: assignee === null ? '' : names.get(assignee) ?? assignee,
    priorities: PRIORITIES
      .map((priority) => ({ priority, tickets: tickets.filter((t) => t.priority === priority).sort(byUrgency) }))
      .filter((g) => g.tickets.length > 0),
  }));
  // Named people alphabetically; the unowned work last, where nobody can mistake it for theirs.
  members.sort((a, b) => (a.assignee === null ? 1 : b.assignee === null ? -1 : a.name.localeCompare(b.name, 'tr')));

  return {
    since: input.since,
    until: input.now,
    members,
    breachedCount,
    atRiskCount,
    escalations: escalationsOf(input),
    specialDays: specialDaysOf(input.specialFlags),
    privateTickets: privateTickets.sort(byUrgency),
  };
}

export function isEmptyDigest(d: ManagerDigest): boolean {
  return d.members.length === 0 && d.escalations.length === 0 && d.specialDays.length === 0 && d.privateTickets.length === 0;
}

/**
 * Breached: the running clock is past its deadline, or an earlier clock breached and the ticket is
 * still open. At risk: past the reminder threshold, or some step falls before the next digest.
 */
function assess(row: DigestOpenTicket, input: DigestInput): DigestTicket {
  const steps = slaSteps({
    priority: row.priority, status: row.status, receivedAt: row.receivedAt, firstResponseAt: row.firstResponseAt,
    qualifiedAt: row.qualifiedAt, resolvedAt: row.resolvedAt, pauses: row.pauses,
    extraMinutes: { firstResponse: row.firstResponseExtraMinutes, resolution: row.resolutionExtraMinutes },
  }, input.policy);
  const now = input.now.getTime();
  const current: SlaEvent | undefined = steps[0];
  const passed = (e: SlaEvent) => e.at.getTime() <= now;
  let state: DigestState = 'open';
  if (row.breachedAt || steps.some((e) => e.level === 'breach' && passed(e))) state = 'breached';
  else if (steps.some((e) => e.level === 'reminder' && passed(e)) || steps.some((e) => e.at < input.horizon)) state = 'at-risk';
  return {
    number: row.number,
    subject: row.subject,
    priority: row.priority,
    requesterAddress: row.requesterAddress,
    state,
    clock: current?.clock ?? null,
    due: current?.deadline ?? null,
  };
}

const STATE_ORDER: Record<DigestState, number> = { breached: 0, 'at-risk': 1, open: 2 };

function byUrgency(a: DigestTicket, b: DigestTicket): number {
  return STATE_ORDER[a.state] - STATE_ORDER[b.state]
    || (a.due?.getTime() ?? Infinity) - (b.due?.getTime() ?? Infinity)
    || a.number.localeCompare(b.number);
}

function escalationsOf(input: DigestInput): DigestEscalation[] {
  const inWindow = (at: Date) => at >= input.since && at < input.now;
  const sla = input.slaEscalations.filter((e) => inWindow(e.firedAt)).map((e): DigestEscalation => ({
    number: e.number, subject: e.subject, priority: e.priority, private: e.private, at: e.firedAt,
    source: 'sla', clock: e.clock, to: e.level === 'breach' ? 'lead' : 'manager',
  }));
  const client = input.clientEscalations.filter((e) => inWindow(e.at)).map((e): DigestEscalation => ({
    number: e.number, subject: e.subject, priority: e.priority, private: e.private, at: e.at,
    source: 'client', clock: null, to: e.step,
  }));
  return [...sla, ...client].sort((a, b) => a.at.getTime() - b.at.getTime() || a.number.localeCompare(b.number));
}

/** One line per client and day, however many of that day's tickets were flagged. */
function specialDaysOf(flags: DigestSpecialFlag[]): DigestSpecialDay[] {
  const days = new Map<string, DigestSpecialDay>();
  for (const f of flags) {
    const key = `${f.requesterAddress}\n${f.day}`;
    const entry = days.get(key) ?? { client: f.requesterAddress, day: f.day, tickets: [] };
    if (!entry.tickets.includes(f.number)) entry.tickets.push(f.number);
    days.set(key, entry);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day) || a.client.localeCompare(b.client));
}
