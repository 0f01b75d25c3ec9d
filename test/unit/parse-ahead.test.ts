import { describe, expect, it } from 'vitest';
import { createParseAhead } from '../../src/app/ingest/parse-ahead.js';
import { parseAndClassify } from '../../src/app/ingest/parse-and-classify.js';
import { mailIdentity } from '../../src/inbound/content-hash.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';

/** A mail prepared ahead of its batch is exactly the mail ingest would have prepared itself. */
describe('preparing mails ahead of their batch', () => {
  const config = testConfig('postgres://unused');

  it('hands over what it prepared ahead, once, equal to preparing it then', async () => {
    const ahead = createParseAhead(config);
    const raw = buildMail({ subject: '[Incident] Fatura modülü çöktü' });
    ahead.start([raw], 'support');
    const taken = await ahead.take(raw, 'support');
    expect(taken).toEqual({ identity: mailIdentity(raw), prepared: await parseAndClassify(config, raw, 'support') });
    // A second take prepares again instead of holding every result for ever.
    expect(await ahead.take(raw, 'support')).toEqual(taken);
  });

  it('prepares on the spot a mail it was not asked for, or asked for another mailbox', async () => {
    const ahead = createParseAhead(config);
    const raw = buildMail({ subject: 'Şikâyet' });
    ahead.start([raw], 'support');
    const forManagement = await ahead.take(raw, 'management');
    expect(forManagement.prepared).toEqual(await parseAndClassify(config, raw, 'management'));
    const other = buildMail({ subject: 'Other' });
    expect((await ahead.take(other, 'support')).identity).toEqual(mailIdentity(other));
  });

  it('keeps each mail to its own result: one that is not mail does not spoil the next', async () => {
    const ahead = createParseAhead(config);
    const junk = Buffer.from('\u0000\u0001 not a mail at all');
    const raw = buildMail({ subject: 'Normal' });
    ahead.start([junk, raw], 'support');
    expect((await ahead.take(junk, 'support')).prepared).toMatchObject({ ok: false, code: 'NOT_A_MAIL' });
    expect((await ahead.take(raw, 'support')).prepared.ok).toBe(true);
  });
});
