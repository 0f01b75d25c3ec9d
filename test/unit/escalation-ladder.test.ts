import { describe, expect, it } from 'vitest';
import { currentLevel, levelAfterEscalation, levelAfterSlaStep, stepOf } from '../../src/tickets/escalation-ladder.js';

describe('the escalation ladder as a state', () => {
  it('starts at the agent and climbs one step per [Escalate], an unassigned ticket to the lead too', () => {
    expect([currentLevel(0), stepOf(0)]).toEqual([1, 'agent']);
    expect(levelAfterEscalation(0)).toBe(2);
    expect(levelAfterEscalation(2)).toBe(3);
    expect(levelAfterEscalation(3)).toBe(3);
  });

  it('a breach moves it to the lead, the 150 % step to the manager, and neither moves it down', () => {
    expect(levelAfterSlaStep(0, 'reminder')).toBe(1);
    expect(levelAfterSlaStep(1, 'breach')).toBe(2);
    expect(levelAfterSlaStep(3, 'breach')).toBe(3);
    expect(levelAfterSlaStep(2, 'manager')).toBe(3);
    // After a breach, the client's [Escalate] goes above the lead: to the manager.
    expect(levelAfterEscalation(levelAfterSlaStep(0, 'breach'))).toBe(3);
  });
});
