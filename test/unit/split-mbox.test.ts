import { describe, expect, it } from 'vitest';
import { looksLikeMbox, splitMbox } from '../../src/inbound/split-mbox.js';

describe('mbox splitting', () => {
  const mbox = Buffer.from([
    'From a@b.example Mon Mar 16 10:00:00 2026', 'Subject: one', '', 'first body', '>From the archive, quoted', '',
    'From c@d.example Mon Mar 16 11:00:00 2026', 'Subject: two', '', 'second body', '',
  ].join('\n'));

  it('yields each message with its From_ line removed and >From unquoted', () => {
    const parts = splitMbox(mbox).map((b) => b.toString());
    expect(parts).toEqual([
      'Subject: one\n\nfirst body\nFrom the archive, quoted\n',
      'Subject: two\n\nsecond body\n',
    ]);
    expect(looksLikeMbox(mbox)).toBe(true);
    expect(looksLikeMbox(Buffer.from('Subject: x\n\nbody'))).toBe(false);
  });

  it('keeps 8-bit bytes unchanged', () => {
    const raw = Buffer.concat([Buffer.from('From x Mon\nSubject: '), Buffer.from([0xe7, 0xfe]), Buffer.from('\n\nb\n')]);
    expect([...splitMbox(raw)[0]!.subarray(9, 11)]).toEqual([0xe7, 0xfe]);
  });
});
