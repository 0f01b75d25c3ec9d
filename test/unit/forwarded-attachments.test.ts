import { describe, expect, it } from 'vitest';
import { formatSize, planForwardedAttachments, type StoredFile } from '../../src/outbound/forwarded-attachments.js';

const file = (index: number, filename: string | null, size: number): StoredFile =>
  ({ rawMailId: 7, index, filename, contentType: 'application/octet-stream', size, sha256: `h${index}` });

describe('which files travel with a forward', () => {
  it('sends files in order while the total fits, lists the rest, and a smaller one after a big one still goes', () => {
    const plan = planForwardedAttachments([file(0, 'a.png', 400), file(1, 'video.mp4', 900), file(2, 'logs.zip', 500)], 1000);
    expect(plan.attach.map((a) => a.filename)).toEqual(['a.png', 'logs.zip']);
    expect(plan.attach[1]!.stored).toEqual({ rawMailId: 7, index: 2, size: 500, sha256: 'h2' });
    expect(plan.files).toEqual([
      { filename: 'a.png', size: 400, attached: true },
      { filename: 'video.mp4', size: 900, attached: false },
      { filename: 'logs.zip', size: 500, attached: true },
    ]);
  });

  it('keeps every name as the sender gave it (executables and archives too), and names an unnamed file by position', () => {
    const plan = planForwardedAttachments([file(0, 'setup.exe', 1), file(1, 'yedek.tar.gz', 1), file(2, null, 1), file(3, ' ', 1)], 10);
    expect(plan.attach.map((a) => a.filename)).toEqual(['setup.exe', 'yedek.tar.gz', 'attachment-3', 'attachment-4']);
  });

  it('with a limit of 0 lists every file and sends none', () => {
    expect(planForwardedAttachments([file(0, 'a.png', 1)], 0)).toEqual({ attach: [], files: [{ filename: 'a.png', size: 1, attached: false }] });
  });

  it('writes sizes the way mail clients do, with a decimal comma in Turkish', () => {
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(30_000, 'en')).toBe('29 KB');
    expect(formatSize(3_565_158, 'en')).toBe('3.4 MB');
    expect(formatSize(3_565_158, 'tr')).toBe('3,4 MB');
    expect(formatSize(150 * 1024 * 1024, 'tr')).toBe('150 MB');
  });
});
