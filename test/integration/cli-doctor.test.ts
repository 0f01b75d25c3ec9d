import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { listUids } from '../helpers/imap-client.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let dovecot: Dovecot;
let sink: SmtpSink;
let dir: string;
let closedPort: number;

/**
 * Business calendars whose holidays always reach past the doctor's notice period, whenever the
 * suite runs: the default list stops at a year's end, and these tests are about the servers.
 */
function calendarsListingHolidaysAhead() {
  const year = new Date().getUTCFullYear();
  return DEFAULT_POLICY.calendars.map((c) => (c.always ? c : { ...c, publicHolidays: undefined, holidays: [`${year}-01-01`, `${year + 1}-01-01`], halfDays: [] }));
}

async function doctor(config: Record<string, unknown>, options: { tty?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ policy: { calendars: calendarsListingHolidaysAhead() }, ...config }));
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { isTTY: options.tty === true });
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await main(['node', 'slagate', '-c', path, 'doctor'], { out, err });
  return { code, out: o, err: e };
}

function fullConfig(o: { imapPassword?: string; smtpPort?: number; databaseUrl?: string } = {}) {
  return {
    ...structuredClone(DEFAULT_CONFIG_INPUT),
    database: { url: o.databaseUrl ?? database.url },
    mailboxes: {
      support: {
        address: 'support@sanarise.example',
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: 'support', password: o.imapPassword ?? dovecot.password('support') },
      },
      management: { address: 'management@sanarise.example' },
    },
    smtp: { host: sink.host, port: o.smtpPort ?? sink.port, secure: false, connectionTimeoutMs: 5000 },
  };
}

/** A port nobody listens on: bound, noted and released. */
async function freeClosedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  [database, dovecot, sink, closedPort] = await Promise.all([
    createTestDatabase(), startDovecot({ users: ['support'] }), startSmtpSink(), freeClosedPort(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'slagate-cli-doctor-'));
});

afterAll(async () => {
  await Promise.all([database?.drop(), dovecot?.stop(), sink?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('slagate doctor', () => {
  it('passes every check against a working database, Dovecot and SMTP server, creating the processed folder', async () => {
    const r = await doctor(fullConfig());
    expect(r.out).toMatch(/^ok {4}config: loaded and valid$/m);
    expect(r.out).toMatch(/^ok {4}database: connected to PostgreSQL at /m);
    expect(r.out).toMatch(/^ok {4}migrations: all \d+ migrations applied, none pending$/m);
    expect(r.out).toMatch(/^ok {4}imap support: logged in to .* folder "INBOX" exists; processed folder "Processed" was missing and has been created; IDLE supported/m);
    expect(r.out).toMatch(/^ok {4}smtp: connected to 127\.0\.0\.1:\d+, EHLO accepted$/m);
    expect(r.out).toContain('all checks passed');
    expect(r.out).not.toContain('FAIL');
    expect(r.code).toBe(0);
    expect(sink.received).toHaveLength(0);
    expect(r.err).toBe('');
    expect(await listUids({ host: dovecot.host, port: dovecot.port, user: 'support', password: dovecot.password('support') }, 'Processed')).toEqual([]);
    expect((await doctor(fullConfig())).out).toContain('processed folder "Processed" exists');
  });

  it('names a refused IMAP password and a closed SMTP port in plain words, and exits 1', async () => {
    const r = await doctor(fullConfig({ imapPassword: 'wrong', smtpPort: closedPort }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}imap support: IMAP login to support failed: .* — check mailboxes\.support\.imap\.user and SLAGATE_IMAP_SUPPORT_PASSWORD$/m);
    expect(r.out).toMatch(new RegExp(`^FAIL {2}smtp: cannot reach the SMTP server at 127\\.0\\.0\\.1:${closedPort}: connection refused — check smtp\\.host and smtp\\.port`, 'm'));
    // The other checks still ran and passed.
    expect(r.out).toMatch(/^ok {4}migrations: /m);
    expect(r.out).toContain('2 check(s) failed');
    expect(r.out).not.toContain(dovecot.password('support'));
  });

  it('reports an IMAP server that is not there', async () => {
    const config = fullConfig();
    config.mailboxes.support.imap.port = closedPort;
    const r = await doctor(config);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}imap support: cannot reach the IMAP server for support at 127\.0\.0\.1:\d+: connection refused — check mailboxes\.support\.imap\.host/m);
  });

  it('fails when a business calendar lists no holidays for this year, saying what to add', async () => {
    const stale = DEFAULT_POLICY.calendars.map((c) => (c.always ? c : { ...c, publicHolidays: undefined, holidays: ['2020-01-01'], halfDays: [] }));
    const r = await doctor({ ...fullConfig(), policy: { calendars: stale } });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`FAIL\\s+holidays: calendar business lists holidays up to 2020, none for ${new Date().getUTCFullYear()}`));
  });

  it('says which migrations are missing and what to run', async () => {
    const behind = await createTestDatabase();
    try {
      await behind.db.execute(sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`);
      // No mail servers: Dovecot slows logins from an address that just failed one (auth penalty).
      const r = await doctor({ ...structuredClone(DEFAULT_CONFIG_INPUT), database: { url: behind.url }, localMail: { outDir: dir } });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^FAIL {2}migrations: 1 of \d+ migrations not applied \(\d{4}_\w+\) — run slagate migrate$/m);
    } finally {
      await behind.drop();
    }
  });

  it('reports a database it cannot reach without printing its password', async () => {
    const r = await doctor({
      ...structuredClone(DEFAULT_CONFIG_INPUT), database: { url: `postgres://slagate:secret-pw@127.0.0.1:${closedPort}/nowhere` }, localMail: { outDir: dir },
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^FAIL {2}database: cannot open PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/nowhere: .* — check database\\.url \\(or DATABASE_URL\\)`, 'm'));
    expect(r.out).not.toContain('secret-pw');
  });

  it('prints every configuration problem and stops there', async () => {
    const r = await doctor({ mailboxes: { support: { address: 'not an address' } }, limits: { maxMessageBytes: 5 } });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}config: the configuration is invalid/m);
    expect(r.out).toMatch(/^ {8}- mailboxes\.support\.address: /m);
    expect(r.out).toMatch(/^ {8}- mailboxes\.management: /m);
    expect(r.out).toMatch(/^ {8}- limits\.maxMessageBytes: /m);
    expect(r.out).not.toContain('database');
  });

  it('checks the local mode paths when no IMAP or SMTP is configured', async () => {
    const outDir = join(dir, 'not-yet', 'outgoing');
    const r = await doctor({ ...structuredClone(DEFAULT_CONFIG_INPUT), database: { url: database.url }, localMail: { outDir } }, { tty: true });
    expect(r.code).toBe(0);
    expect(r.err).toContain('checking the database…');
    expect(r.out).not.toContain('checking');
    expect(r.out).toMatch(/^ok {4}local mail: no IMAP configured: slagate start receives mail by SMTP on 127\.0\.0\.1:2525/m);
    expect(r.out).toContain(`ok    outgoing mail: no SMTP configured: outgoing mail is written as .eml files; ${outDir} does not exist yet; it will be created in ${dir}`);
    writeFileSync(join(dir, 'a-file'), 'x');
    const bad = await doctor({ ...structuredClone(DEFAULT_CONFIG_INPUT), database: { url: database.url }, localMail: { outDir: join(dir, 'a-file', 'out') } });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^FAIL {2}outgoing mail: .*a-file is a file, not a folder — set localMail\.outDir to a folder$/m);
  });
});
