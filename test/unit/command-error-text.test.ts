import { describe, expect, it } from 'vitest';
import { parseAgentCommands } from '../../src/inbound/agent-commands.js';
import { commandErrorText } from '../../src/inbound/command-error-text.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

// Every error the command parser can give, as a Turkish agent types it.
const LINES = ['#stauts closed', '#durum', '#durum bilinmeyen', '#öncelik', '#öncelik p9', '#tür', '#tür fatura', '#ata', '#ata Ayşe Yılmaz', '#yükselt lütfen',
  '#bilgi ekle', '#bilgi davet emre@client.example', '#bilgi ekle emre', '#bilgi ekle a@b.example c@d.example',
  '#sla', '#sla dur', '#sla devam şimdi', '#sla duraklat', '#sla uzat çözüm', '#sla uzat sonra 2g neden', '#sla uzat çözüm iki neden',
  '#sla uzat çözüm 2g', '#dil', '#dil fransızca'];

describe('command errors in the agent\'s language (issue 23)', () => {
  it.each(LINES)('%s reads in Turkish with no English left', (line) => {
    const [error] = parseAgentCommands(line, DEFAULT_POLICY).errors;
    expect(error).toBeDefined();
    const text = commandErrorText(error!, 'tr');
    expect(text).not.toMatch(/unknown|missing|expected|takes no|got |needs|reason|ADDRESS|remove|resume|extend|first-response|resolution|duration|language/);
  });

  it('keeps the English reason for an English agent and quotes what was typed', () => {
    const [error] = parseAgentCommands('#durum bilinmeyen', DEFAULT_POLICY).errors;
    expect(commandErrorText(error!, 'en')).toBe('unknown status "bilinmeyen"');
    expect(commandErrorText(error!, 'tr')).toBe('bilinmeyen durum "bilinmeyen"');
  });
});
