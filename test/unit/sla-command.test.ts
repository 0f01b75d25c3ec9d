import { describe, expect, it } from 'vitest';
import { parseAgentCommands, parseWorkingDuration } from '../../src/inbound/agent-commands.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

const parse = (body: string) => parseAgentCommands(body, DEFAULT_POLICY);

describe('#sla: the grammar (issue 24 item 6)', () => {
  it.each([
    ['#sla pause waiting for the client\'s hosting provider', { kind: 'sla', action: 'pause', reason: 'waiting for the client\'s hosting provider' }],
    ['#SLA DURAKLAT müşterinin sunucusu kapalı', { kind: 'sla', action: 'pause', reason: 'müşterinin sunucusu kapalı' }],
    ['#sla resume', { kind: 'sla', action: 'resume' }],
    ['#sla devam', { kind: 'sla', action: 'resume' }],
    ['#sla extend resolution 2d vendor patch needed', { kind: 'sla', action: 'extend', clock: 'resolution', minutes: 960, reason: 'vendor patch needed' }],
    ['#sla extend first-response 90m client asked to wait', { kind: 'sla', action: 'extend', clock: 'first-response', minutes: 90, reason: 'client asked to wait' }],
    ['#sla uzat çözüm 4sa üretici yaması bekleniyor', { kind: 'sla', action: 'extend', clock: 'resolution', minutes: 240, reason: 'üretici yaması bekleniyor' }],
    ['#sla uzat İLK-YANIT 30dk bayram arifesi', { kind: 'sla', action: 'extend', clock: 'first-response', minutes: 30, reason: 'bayram arifesi' }],
  ])('%s', (line, command) => {
    const r = parse(`${line}\n\nThanks`);
    expect(r.errors).toEqual([]);
    expect(r.commands).toEqual([command]);
    expect(r.rest).toBe('Thanks');
  });

  it.each([
    ['#sla', /expected #sla pause REASON/],
    ['#sla pause', /needs a reason/],
    ['#sla duraklat', /needs a reason/],
    ['#sla resume now please', /takes no argument/],
    ['#sla extend resolution 2d', /needs a reason after the duration/],
    ['#sla extend resolution two-days because', /expected a duration like 90m/],
    ['#sla extend resolution 0h because', /expected a duration like 90m/],
    ['#sla extend qualification 2h because', /expected first-response or resolution/],
    ['#sla stop the clock', /expected #sla pause REASON/],
  ])('%s is refused with a reason, never dropped', (line, reason) => {
    const r = parse(line);
    expect(r.commands).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(line);
    expect(r.errors[0]!.reason).toMatch(reason);
  });

  it('reads working durations: minutes, hours, 8-hour working days', () => {
    expect(parseWorkingDuration('45m')).toBe(45);
    expect(parseWorkingDuration('3h')).toBe(180);
    expect(parseWorkingDuration('3SA')).toBe(180);
    expect(parseWorkingDuration('1g')).toBe(480);
    expect(parseWorkingDuration('1.5h')).toBeNull();
    expect(parseWorkingDuration('-2h')).toBeNull();
  });
});
