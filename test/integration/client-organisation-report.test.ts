import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMonthlyReports } from '../../src/app/jobs/send-monthly-reports.js';
import { ConfigError, type Config } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

/** Issue 24: a configured client's monthly report covers the organisation, in its language. */
describe('a client organisation\'s monthly report', () => {
  let database: TestDatabase;
  let config: Config;
  beforeAll(async () => {
    database = await createTestDatabase();
    config = testConfig(database.url, {
      clients: [{ name: 'Acme Holding', domains: ['acme.com.tr', 'acme-lojistik.com'], addresses: ['acme.muhasebe@gmail.com'],
        language: 'tr', reportRecipients: ['cfo@acme.com.tr'] }],
    });
    let n = 0;
    const ticket = (requesterAddress: string) => ({
      number: `SR-${++n}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium', priorityReason: 'tag',
      requesterAddress, subject: 's', receivedAt: ist('2026-05-12 10:00'), status: 'open',
    });
    await database.db.insert(tickets).values(['ali@acme.com.tr', 'veli@acme-lojistik.com', 'acme.muhasebe@gmail.com', 'someone@gmail.com']
      .map(ticket));
  });
  afterAll(async () => { await database.drop(); });

  it('counts every domain and address of the client, and nobody else at the public provider', async () => {
    expect(await sendMonthlyReports({ db: database.db, config, clock: () => ist('2026-06-01 09:00') })).toMatchObject({ status: 'sent' });
    const [mail, ...others] = await database.db.select().from(outbox).where(like(outbox.dedupeKey, 'monthly-report:2026-05:client:%'));
    expect(others).toEqual([]);
    expect(mail!.to.map((t) => t.address)).toEqual(['cfo@acme.com.tr']);
    expect(mail!.text).toMatch(/\| talep \| çözüldü .*\n\| --- .*\n\| 3 \|/);
    expect(mail!.text).toContain('| Acme Holding | 3 |');
    expect(mail!.html).not.toContain('someone@gmail.com');
  });

  it('refuses a public mail provider as a client\'s domain, and one domain for two clients', () => {
    expect(() => testConfig(database.url, { clients: [{ name: 'A', domains: ['gmail.com'] }] }))
      .toThrow(ConfigError);
    try {
      testConfig(database.url, { clients: [{ name: 'A', domains: ['x.com'] }, { name: 'B', domains: ['X.com'] }, { name: 'C', domains: ['y.com'], bogus: 1 }] });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/clients\.2.*bogus|Unrecognized key.*bogus/);
    }
    try {
      testConfig(database.url, { clients: [{ name: 'A', domains: ['x.com'] }, { name: 'B', domains: ['X.com'] }] });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toContain('clients.1.domains.0: x.com already belongs to client "A"');
    }
  });
});
