import { describe, expect, it } from 'vitest';
import { extractNewText } from '../../src/inbound/reply-text.js';

const lines = (...l: string[]) => l.join('\n');

describe('extractNewText: quoted history', () => {
  it('keeps a mail without history as it is, blank lines trimmed at the ends', () => {
    expect(extractNewText('\n\nMerhaba,\n\nfatura açılmıyor.\n\n')).toEqual({ body: 'Merhaba,\n\nfatura açılmıyor.', quoted: '', signature: '' });
  });

  it.each([
    ['English Gmail', 'On Mon, 2 Mar 2026 at 10:15, Support <support@sanarise.example> wrote:'],
    ['Apple Mail', 'On 2 Mar 2026, at 10:15, Support <support@sanarise.example> wrote:'],
    ['Thunderbird', 'On 02/03/2026 10:15, Support wrote:'],
    ['Turkish Gmail', 'Support <support@sanarise.example>, 2 Mar 2026 Pzt, 10:15 tarihinde şunu yazdı:'],
    ['Turkish with capitals', 'SUPPORT <support@sanarise.example>, 2 Mar 2026 Pzt, 10:15 tarihinde ŞUNU YAZDI:'],
    ['German', 'Am 02.03.2026 um 10:15 schrieb Support <support@sanarise.example>:'],
    ['French', 'Le lun. 2 mars 2026 à 10:15, Support <support@sanarise.example> a écrit :'],
  ])('removes the history under a %s attribution', (_name, attribution) => {
    const text = lines('Teşekkürler, düzeldi.', '', attribution, '> Merhaba,', '> sorunu çözdük.');
    expect(extractNewText(text)).toEqual({
      body: 'Teşekkürler, düzeldi.',
      quoted: lines(attribution, '> Merhaba,', '> sorunu çözdük.'),
      signature: '',
    });
  });

  it('finds an English attribution wrapped over two lines', () => {
    const text = lines('Thanks!', '', 'On Mon, 2 Mar 2026 at 10:15, Ayşe Yılmaz from Sanarise Support <', 'support@sanarise.example> wrote:', '> Hi');
    expect(extractNewText(text).body).toBe('Thanks!');
  });

  it('finds a Turkish attribution wrapped over two lines without taking the line above it', () => {
    const text = lines('Teşekkürler', 'Ayşe Yılmaz <ayse@sanarise.example>, 2 Mar 2026 Pzt, 10:15', 'tarihinde şunu yazdı:', '> Merhaba');
    expect(extractNewText(text)).toMatchObject({ body: 'Teşekkürler', quoted: lines('Ayşe Yılmaz <ayse@sanarise.example>, 2 Mar 2026 Pzt, 10:15', 'tarihinde şunu yazdı:', '> Merhaba') });
  });

  it('removes an Outlook "Original Message" block', () => {
    const text = lines('Ekte gönderiyorum.', '', '-----Original Message-----', 'From: Support', 'Sent: Monday', 'Old text');
    expect(extractNewText(text)).toMatchObject({ body: 'Ekte gönderiyorum.', quoted: lines('-----Original Message-----', 'From: Support', 'Sent: Monday', 'Old text') });
  });

  it.each([['-----Ursprüngliche Nachricht-----'], ['-----Özgün İleti-----'], ['----- Original Message -----']])('removes a %s block', (rule) => {
    expect(extractNewText(lines('Yeni', rule, 'Eski')).body).toBe('Yeni');
  });

  it('removes an Outlook header block with its rule line', () => {
    const text = lines(
      'Please see below.', '', '________________________________',
      'From: Support <support@sanarise.example>', 'Sent: Monday, March 2, 2026 10:15 AM', 'To: Deniz <deniz@client.example>',
      'Subject: RE: [#SR-1042] Fatura', '', 'Old text',
    );
    expect(extractNewText(text)).toMatchObject({ body: 'Please see below.' });
    expect(extractNewText(text).quoted.startsWith('________________________________')).toBe(true);
  });

  it('removes a Turkish Outlook header block', () => {
    const text = lines('Tamam.', '', 'Kimden: Destek <support@sanarise.example>', 'Gönderildi: 2 Mart 2026 Pazartesi 10:15', 'Kime: Deniz', 'Konu: YNT: Fatura', 'Eski');
    expect(extractNewText(text).body).toBe('Tamam.');
  });

  it('removes a header block flattened onto one line from HTML', () => {
    expect(extractNewText(lines('OK.', '*From:* Support *Sent:* Monday, March 2 *To:* Deniz', 'old')).body).toBe('OK.');
  });

  it('removes > lines interleaved with answers and keeps the answers', () => {
    const text = lines('> Which module?', 'Sales.', '> Since when?', 'Since Monday.');
    expect(extractNewText(text)).toEqual({ body: lines('Sales.', 'Since Monday.'), quoted: lines('> Which module?', '> Since when?'), signature: '' });
  });
});

describe('extractNewText: when unsure, keep text', () => {
  it.each([
    ['a sentence that merely ends in "wrote:"', 'On the form the system wrote:'],
    ['a "From:" line that is not a header block', 'From: accounting, we need the report'],
    ['a forwarded message, which may be the very problem reported', '---------- Forwarded message ---------'],
    ['dashes around other words', '----- Notes -----'],
  ])('keeps %s', (_name, line) => {
    const text = lines('Merhaba', line, 'devamı');
    expect(extractNewText(text).body).toBe(text);
  });
});

describe('extractNewText: signatures', () => {
  it('removes the signature after a "-- " line', () => {
    expect(extractNewText(lines('Tamam, teşekkürler.', '-- ', 'Deniz Client', 'ACME A.Ş.'))).toEqual({
      body: 'Tamam, teşekkürler.', quoted: '', signature: lines('Deniz Client', 'ACME A.Ş.'),
    });
  });

  it('also accepts the delimiter with its trailing space lost', () => {
    expect(extractNewText(lines('OK', '--', 'Deniz')).body).toBe('OK');
  });

  it('removes a signature that comes before the quoted history', () => {
    const text = lines('OK', '-- ', 'Deniz', '', 'On Mon, 2 Mar 2026 at 10:15, Support wrote:', '> Hi');
    expect(extractNewText(text)).toEqual({ body: 'OK', quoted: lines('On Mon, 2 Mar 2026 at 10:15, Support wrote:', '> Hi'), signature: 'Deniz' });
  });

  it.each([['Sent from my iPhone'], ["iPhone'umdan gönderildi"], ['iPhone’umdan gönderildi'], ['Von meinem iPhone gesendet']])('removes a closing %j', (line) => {
    expect(extractNewText(lines('Tamam', '', line))).toEqual({ body: 'Tamam', quoted: '', signature: line });
  });

  it('keeps a "Sent from my" line that is the whole mail or not at its end', () => {
    expect(extractNewText('Sent from my iPhone').body).toBe('Sent from my iPhone');
    expect(extractNewText(lines('Sent from my iPhone the app crashes', 'twice')).body).toBe(lines('Sent from my iPhone the app crashes', 'twice'));
  });

  it('accepts CRLF line ends', () => {
    expect(extractNewText('OK\r\n\r\nOn Mon, 2 Mar 2026, Support wrote:\r\n> Hi\r\n').body).toBe('OK');
  });
});
