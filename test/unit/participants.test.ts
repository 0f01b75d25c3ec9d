import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { parseAgentCommands } from '../../src/inbound/agent-commands.js';
import { participantsOf, type ParticipantFact } from '../../src/tickets/participants.js';

const policy = parseConfig(DEFAULT_CONFIG_INPUT).policy;
const ours = (a: string) => a.endsWith('@sanarise.example');
const at = (minute: number) => new Date(Date.UTC(2026, 2, 16, 7, minute));
const who = (address: string, name = '') => ({ address, name });

describe('who follows a ticket besides its requester', () => {
  it('takes the client\'s To and Cc and whoever wrote from their side, never us, staff or the requester', () => {
    const facts: ParticipantFact[] = [
      { kind: 'mail', at: at(0), from: who('deniz@client.example'), to: [who('support@sanarise.example')], cc: [who('Emre@Client.example', 'Emre'), who('ayse@sanarise.example')] },
      { kind: 'mail', at: at(5), from: who('emre@client.example'), to: [who('support+abc@sanarise.example')], cc: [who('deniz@client.example'), who('mert@client.example')] },
    ];
    expect(participantsOf(facts, 'deniz@client.example', ours)).toEqual([who('emre@client.example', 'Emre'), who('mert@client.example')]);
  });

  it('#cc remove takes someone off, #cc add puts someone on, and a later client mail copying them brings them back', () => {
    const facts: ParticipantFact[] = [
      { kind: 'mail', at: at(0), from: who('deniz@client.example'), to: [], cc: [who('emre@client.example')] },
      { kind: 'cc', at: at(1), action: 'remove', address: 'emre@client.example' },
      { kind: 'cc', at: at(2), action: 'add', address: 'consultant@partner.example' },
    ];
    expect(participantsOf(facts, 'deniz@client.example', ours).map((p) => p.address)).toEqual(['consultant@partner.example']);
    facts.push({ kind: 'mail', at: at(3), from: who('deniz@client.example'), to: [], cc: [who('emre@client.example')] });
    expect(participantsOf(facts, 'deniz@client.example', ours).map((p) => p.address)).toEqual(['consultant@partner.example', 'emre@client.example']);
  });
});

describe('#cc and #bilgi', () => {
  it.each([
    ['#cc add emre@client.example', 'add'],
    ['#cc remove <Emre@Client.example>', 'remove'],
    ['#bilgi ekle emre@client.example', 'add'],
    ['#bilgi çıkar emre@client.example', 'remove'],
    ['#Bilgi ÇIKAR emre@client.example', 'remove'],
  ])('%s', (line, action) => {
    expect(parseAgentCommands(`${line}\n\nMetin`, policy).commands).toEqual([{ kind: 'cc', action, address: 'emre@client.example' }]);
  });

  it.each(['#cc emre@client.example', '#cc add emre', '#bilgi ekle a@b.example c@d.example', '#cc add'])('refuses %s with a reason', (line) => {
    const parsed = parseAgentCommands(line, policy);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors[0]!.reason).toMatch(/^expected/);
  });
});
