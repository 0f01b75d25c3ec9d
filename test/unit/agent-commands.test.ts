import { describe, expect, it } from 'vitest';
import { parseAgentCommands } from '../../src/inbound/agent-commands.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

const parse = (body: string) => parseAgentCommands(body, DEFAULT_POLICY);
const only = (line: string) => {
  const r = parse(line);
  expect(r.errors).toEqual([]);
  expect(r.commands).toHaveLength(1);
  return r.commands[0];
};

describe('parseAgentCommands: the grammar', () => {
  it.each([
    ['#status open', 'open'], ['#status waiting', 'waiting'], ['#status resolved', 'resolved'], ['#status closed', 'closed'],
    ['#durum açık', 'open'], ['#durum beklemede', 'waiting'], ['#durum çözüldü', 'resolved'], ['#durum kapalı', 'closed'],
    ['#durum acik', 'open'], ['#durum cozuldu', 'resolved'], ['#durum kapali', 'closed'],
    ['#DURUM ÇÖZÜLDÜ', 'resolved'], ['#Status Closed', 'closed'], ['#status: open', 'open'],
  ])('%s sets the status %s', (line, status) => {
    expect(only(line)).toEqual({ kind: 'status', status });
  });

  it.each([
    ['#priority critical', 'critical'], ['#priority p2', 'high'], ['#öncelik kritik', 'critical'], ['#ÖNCELİK YÜKSEK', 'high'],
    ['#oncelik düşük', 'low'], ['#priority normal', 'medium'], ['#öncelik acil', 'critical'],
  ])('%s sets the priority %s', (line, priority) => {
    expect(only(line)).toEqual({ kind: 'priority', priority });
  });

  it.each([
    ['#type bug', 'problem'], ['#tür hata', 'problem'], ['#tip soru', 'question'], ['#TÜR ŞİKAYET', 'complaint'],
    ['#type main-code-problem', 'main-code-problem'], ['#type web sitesi', 'website'], ['#type email-deliverability', 'email-deliverability'],
  ])('%s sets the type %s', (line, type) => {
    expect(only(line)).toEqual({ kind: 'type', type });
  });

  it.each([['#assign ayse@sanarise.example', 'ayse@sanarise.example'], ['#ata Mert', 'Mert'], ['#ata Ayşe', 'Ayşe']])(
    '%s assigns %s, as written', (line, agent) => {
      expect(only(line)).toEqual({ kind: 'assign', agent });
    },
  );

  it.each([
    ['#qualified', 'qualified'], ['#nitelendirildi', 'qualified'], ['#NİTELENDİRİLDİ', 'qualified'],
    ['#note', 'note'], ['#not', 'note'], ['#escalate', 'escalate'], ['#yükselt', 'escalate'], ['#YÜKSELT', 'escalate'],
  ])('%s is %s', (line, kind) => {
    expect(only(line)).toEqual({ kind });
  });
});

describe('parseAgentCommands: the command block', () => {
  it('reads several commands at the top, blank lines between, and returns the rest', () => {
    const r = parse('#durum beklemede\n\n#öncelik yüksek\n#ata mert@sanarise.example\n\nMerhaba,\nlog dosyasını gönderir misiniz?\n');
    expect(r).toEqual({
      commands: [{ kind: 'status', status: 'waiting' }, { kind: 'priority', priority: 'high' }, { kind: 'assign', agent: 'mert@sanarise.example' }],
      written: ['#durum beklemede', '#öncelik yüksek', '#ata mert@sanarise.example'],
      errors: [],
      rest: 'Merhaba,\nlog dosyasını gönderir misiniz?',
    });
  });

  it('ends the block at the first line that is not a command', () => {
    const r = parse('Merhaba,\n#status closed\n');
    expect(r).toEqual({ commands: [], written: [], errors: [], rest: 'Merhaba,\n#status closed' });
  });

  it('returns the whole body when there are no commands', () => {
    expect(parse('\nTamam.\n')).toEqual({ commands: [], written: [], errors: [], rest: 'Tamam.' });
  });

  it.each([['#1 öncelik fatura'], ['# Özet'], ['#SR-1042 ile aynı sorun']])('treats %j as text, not a command', (line) => {
    expect(parse(`${line}\nDevamı`)).toEqual({ commands: [], written: [], errors: [], rest: `${line}\nDevamı` });
  });

  it('takes words after #note as the start of the note', () => {
    expect(parse('#durum beklemede\n#not Müşteriyi aradım\nyarın dönecek')).toEqual({
      commands: [{ kind: 'status', status: 'waiting' }, { kind: 'note' }],
      // The echo is the alias the agent typed (issue 23), the note text is not part of it.
      written: ['#durum beklemede', '#not'],
      errors: [],
      rest: 'Müşteriyi aradım\nyarın dönecek',
    });
  });
});

describe('parseAgentCommands: errors are reported, never ignored', () => {
  it.each([
    ['#stauts closed', 'unknown command #stauts'],
    ['#status', 'missing status (open, waiting, resolved or closed)'],
    ['#status done', 'unknown status "done"'],
    ['#status open now', 'unknown status "open now"'],
    ['#priority', 'missing priority'],
    ['#priority p9', 'unknown priority "p9"'],
    ['#type', 'missing type'],
    ['#tür fatura', 'unknown type "fatura"'],
    ['#assign', 'missing agent (an address or a name)'],
    ['#ata Ayşe Yılmaz', 'expected one agent (an address or a name), got "Ayşe Yılmaz"'],
    ['#qualified yes', '#qualified takes no argument, got "yes"'],
    // Named as the agent wrote it, not folded (issue 23).
    ['#yükselt lütfen', '#yükselt takes no argument, got "lütfen"'],
    ['#dil', 'missing language (#dil tr or #dil en)'],
    ['#lang fr', 'unknown language "fr" (tr or en)'],
  ])('%s → %s', (line, reason) => {
    expect(parse(line)).toEqual({ commands: [], written: [], errors: [{ line, reason }], rest: '' });
  });

  it('reads #dil / #lang with a code or a language\'s name', () => {
    expect(parse('#dil en\n#lang Türkçe\n#DİL İngilizce').commands).toEqual([
      { kind: 'language', language: 'en' }, { kind: 'language', language: 'tr' }, { kind: 'language', language: 'en' },
    ]);
  });

  it('keeps reading commands after an error', () => {
    const r = parse('#status dun\n#priority high\nMetin');
    expect(r).toEqual({
      commands: [{ kind: 'priority', priority: 'high' }],
      written: ['#priority high'],
      errors: [{ line: '#status dun', reason: 'unknown status "dun"' }],
      rest: 'Metin',
    });
  });
});
