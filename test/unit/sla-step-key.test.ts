import { describe, expect, it } from 'vitest';
import { parseSlaStepDedupeKey, slaStepDedupeKey, slaStepKey } from '../../src/sla/sla-step-key.js';

describe('SLA step keys', () => {
  const deadline = new Date('2026-03-16T12:00:00.000Z');

  it('reads back the clock and deadline of the key it builds, with or without a recipient after it', () => {
    for (const clock of ['first-response', 'qualification', 'resolution'] as const) {
      const key = slaStepDedupeKey(42, slaStepKey(clock, 'breach', deadline));
      expect(parseSlaStepDedupeKey(key)).toEqual({ clock, deadlineIso: deadline.toISOString() });
      expect(parseSlaStepDedupeKey(`${key}:lead@example.com`)).toEqual({ clock, deadlineIso: deadline.toISOString() });
    }
  });

  it('is null for a key that is not an SLA step', () => {
    expect(parseSlaStepDedupeKey('ack:42')).toBeNull();
    expect(parseSlaStepDedupeKey('sla:42:first-response:reminder:x')).toBeNull();
  });
});
