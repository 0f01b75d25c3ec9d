import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { main } from '../../src/cli.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * `quarantine list|show` and `outbox list|show` without --private: a quarantined mail that
 * reached management (read from it, or naming it in its headers) is as if it did not exist.
 */
describe('operator listings are private-safe by default', () => {
  let database: TestDatabase;
  let dir: string;
  let configPath: string;
  /** The same gateway with the size limit raised, as an operator would before `quarantine retry`. */
  let raisedConfigPath: string;
  const SECRET = 'CANARY-QUARANTINE-5521';
  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'slagate-private-cli-'));
    const limits = { maxMessageBytes: 1024 };
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, limits }));
    raisedConfigPath = join(dir, 'raised.json');
    writeFileSync(raisedConfigPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url } }));
    const deps: IngestDeps = { db: database.db, config: testConfig(database.url, { limits }), logger: pino({ level: 'silent' }), clock: () => new Date() };
    const big = (extra: Parameters<typeof buildMail>[0]) => buildMail({ body: `${'x'.repeat(1200)}\n`, ...extra });
    const at = new Date();
    await ingestMessage(deps, { raw: big({ to: 'management@sanarise.example', subject: `Gizli ${SECRET}`, messageId: '<q1@client.example>' }), mailbox: 'management', receivedAt: at, source: 'cli' });
    await ingestMessage(deps, { raw: big({ to: 'support@sanarise.example', cc: 'Yönetim <MANAGEMENT@sanarise.example>', subject: `Kopya ${SECRET}`, messageId: '<q2@client.example>' }), mailbox: 'support', receivedAt: at, source: 'cli' });
    await ingestMessage(deps, { raw: big({ subject: 'Büyük ek TEAM-VISIBLE', messageId: '<q3@client.example>' }), mailbox: 'support', receivedAt: at, source: 'cli' });
    // A small complaint: its acknowledgement and the managers' notice are private outbox rows.
    await ingestMessage(deps, { raw: buildMail({ subject: `[Şikayet] ${SECRET}`, body: 'kısa', messageId: '<q4@client.example>' }), mailbox: 'support', receivedAt: at, source: 'cli' });
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = async (...args: string[]) => {
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    err.on('data', (c: Buffer) => chunks.push(c));
    const config = args[0] === '--raised' ? raisedConfigPath : configPath;
    await main(['node', 'slagate', '--config', config, ...args.filter((a) => a !== '--raised')], { out, err });
    return Buffer.concat(chunks).toString('utf8');
  };

  it('quarantine list/show hide mail that reached management unless --private', async () => {
    const team = await cli('quarantine', 'list');
    expect(team).toContain('q3@client.example');
    expect(team).not.toMatch(/q1@|q2@/);
    const all = await cli('quarantine', 'list', '--private');
    expect(all).toMatch(/q1@/);
    expect(all).toMatch(/q2@/);
    const ids = [...all.matchAll(/^\s*(\d+)\s/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      const shown = await cli('quarantine', 'show', id);
      expect(shown).not.toContain(SECRET);
      if (!shown.includes('q3@')) expect(shown).toContain(`no such entry ${id}`);
    }
    expect(await Promise.all(ids.map((id) => cli('quarantine', 'show', id, '--private')))).toEqual(expect.arrayContaining([expect.stringContaining(SECRET)]));
  });

  it('outbox list/show hide private mail unless --private', async () => {
    const all = await cli('outbox', 'list', '--private', '--json');
    const rows = all.trim().split('\n').map((l) => JSON.parse(l) as { id: number; subject: string });
    const secret = rows.filter((r) => r.subject.includes(SECRET));
    expect(secret.length).toBeGreaterThanOrEqual(2);
    expect(await cli('outbox', 'list')).not.toContain(SECRET);
    expect(await cli('outbox', 'list', '--json')).not.toContain(SECRET);
    for (const r of secret) {
      expect(await cli('outbox', 'show', String(r.id))).toContain(`no such mail ${r.id}`);
      expect(await cli('outbox', 'show', String(r.id), '--private')).toContain(SECRET);
    }
  });

  // Last: it resolves the private entries the tests above list.
  it('quarantine retry of a mail that reached management says "a private ticket", its number only with --private', async () => {
    const all = await cli('quarantine', 'list', '--private');
    const idOf = (messageId: string) => all.split('\n').find((l) => l.includes(messageId))!.trim().split(/\s+/)[0]!;
    const team = await cli('--raised', 'quarantine', 'retry', idOf('q1@client.example'));
    expect(team).toContain('a private ticket');
    expect(team).not.toMatch(/YN-|SR-|\d{4}/);
    expect(team).not.toContain(SECRET);
    const managers = await cli('--raised', 'quarantine', 'retry', idOf('q2@client.example'), '--private');
    expect(managers).toMatch(/new-ticket YN-\d+/);
    // A team mail's retry names its team ticket as before.
    expect(await cli('--raised', 'quarantine', 'retry', idOf('q3@client.example'))).toMatch(/new-ticket SR-\d+/);
  });
});
