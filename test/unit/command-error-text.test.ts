import { describe, expect, it } from 'vitest';
import { parseAgentCommands } from '../../src/inbound/agent-commands.js';
import { commandErrorText } from '../../src/inbound/command-error-text.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

// Every error the command parser can give (cc's own shapes aside), as a Turkish agent types it.
const LINES = ['#stauts closed', '#durum', '#durum bilinmeyen', '#öncelik', '#öncelik p9', '#tür', '#tür fatura', '#ata', '#ata Ayşe Yılmaz', '#yükselt lütfen'];

describe('command errors in the agent\'s language (issue 23)', () => {
  it.each(LINES)('%s reads in Turkish with no English left', (line) => {
    const [error] = parseAgentCommands(line, DEFAULT_POLICY).errors;
    expect(error).toBeDefined();
    const text = commandErrorText(error!, 'tr');
    expect(text).not.toMatch(/unknown|missing|expected|takes no|got /);
  });

  it('keeps the English reason for an English agent and quotes what was typed', () => {
    const [error] = parseAgentCommands('#durum bilinmeyen', DEFAULT_POLICY).errors;
    expect(commandErrorText(error!, 'en')).toBe('unknown status "bilinmeyen"');
    expect(commandErrorText(error!, 'tr')).toBe('bilinmeyen durum "bilinmeyen"');
  });
});
