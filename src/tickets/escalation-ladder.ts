/**
 * The agreement's ladder as a ticket's state: 1 the (assigned) agent, 2 the team lead, 3 the
 * manager. A ticket starts at the agent (stored 0 or 1 both mean it); an SLA breach at 100 % of a
 * target moves it to the lead, at 150 % to the manager; an `[Escalate]` moves it one step above
 * where it is, so an unassigned ticket goes to the lead too. It never moves down by itself.
 */
export const LADDER = ['agent', 'lead', 'manager'] as const;
export type LadderStep = (typeof LADDER)[number];

export const TOP_LEVEL = LADDER.length;

/** Where a ticket stands: never below the agent. */
export function currentLevel(stored: number): number {
  return Math.min(Math.max(stored, 1), TOP_LEVEL);
}

export function stepOf(level: number): LadderStep {
  return LADDER[currentLevel(level) - 1]!;
}

/** After an `[Escalate]` or `#escalate`: one step up, the manager at most (asked again there, it stays). */
export function levelAfterEscalation(stored: number): number {
  return Math.min(currentLevel(stored) + 1, TOP_LEVEL);
}

/** After an SLA step fired: a breach (100 %) reaches the lead, the manager step (150 %) the manager. */
export function levelAfterSlaStep(stored: number, step: 'reminder' | 'breach' | 'manager'): number {
  const floor = step === 'breach' ? 2 : step === 'manager' ? 3 : 1;
  return Math.max(currentLevel(stored), floor);
}
