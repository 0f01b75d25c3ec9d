import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../helpers/mail-builder.js';
import { removeTestConfigs, runCli, writeTestConfig } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { CORPUS_DIR as CORPUS } from '../helpers/real-world-corpus.js';


describe('slagate ingest, replay and classify', () => {
  let database: TestDatabase;
  let config: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    config = writeTestConfig({ database: { url: database.url } });
  });
  afterAll(async () => {
    removeTestConfigs();
    await database.drop();
  });

  it('ingests a mail piped on standard input and prints the classified ticket', async () => {
    const mail = buildMail({ subject: '[Urgent][Login] Cannot log in to Odoo', from: 'Ops <ops@client.example>' });
    const result = await runCli(['--config', config, 'ingest', '--mailbox', 'support', '--json'], { stdin: mail });
    expect(result.code).toBe(0);
    const line = JSON.parse(result.out);
    expect(line).toMatchObject({ file: '-', decision: 'new-ticket', acknowledge: true, ticket: { type: 'access', priority: 'critical', private: false } });
    const again = await runCli(['--config', config, 'ingest', '--mailbox', 'support', '--json'], { stdin: mail });
    expect(JSON.parse(again.out).decision).toBe('duplicate');
  });

  it('asks the MTA to retry (exit 75) when the database is unreachable', async () => {
    const unreachable = writeTestConfig({ database: { url: 'postgres://postgres@127.0.0.1:1/none' } });
    const result = await runCli(['--config', unreachable, 'ingest'], { stdin: buildMail({}) });
    expect(result.code).toBe(75);
    expect(result.err).toMatch(/database unavailable|ECONNREFUSED/);
  });

  it('stops with exit 78 naming every bad key of a bad config', async () => {
    const bad = writeTestConfig({ ticketPrefix: 'sr', limits: { reopenWindowDays: -1 }, people: [{ address: 'not-an-address', name: 'X', role: 'boss' }] });
    const result = await runCli(['--config', bad, 'classify', '--subject', 'x']);
    expect(result.code).toBe(78);
    expect(result.err).toContain('ticketPrefix');
    expect(result.err).toContain('limits.reopenWindowDays');
    expect(result.err).toContain('people.0.address');
    expect(result.err).toContain('people.0.role');
  });

  it('replays the real-world corpus as one JSON line per mail, never acknowledging a delivery report', async () => {
    const result = await runCli(['--config', config, 'replay', CORPUS, '--json']);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(readdirSync(CORPUS).length);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['acknowledge', 'decision', 'file', 'priority', 'private', 'reason', 'ticket', 'type', 'verdict']);
      expect(line.decision).not.toBe('error');
    }
    const reports = lines.filter((l) => String(l.file).includes('multipart_report_emails__'));
    expect(reports).toHaveLength(5);
    expect(reports.every((l) => l.acknowledge === false)).toBe(true);
  }, 120_000);

  it('classifies a subject as SLA-POLICY.md says', async () => {
    const result = await runCli(['classify', '--subject', 'RE: [Critical] [Website] Ana sayfa açılmıyor [EXTERNAL]', '--json']);
    expect(JSON.parse(result.out)).toMatchObject({
      type: 'website', priority: 'high', requestedPriority: 'critical', private: false, typeSource: 'tag',
      tags: { unknown: ['EXTERNAL'] },
    });
    const mgmt = await runCli(['classify', '--subject', '[Bug] anything', '--mailbox', 'management', '--json']);
    expect(JSON.parse(mgmt.out)).toMatchObject({ type: 'complaint', private: true, typeSource: 'mailbox' });
  });
});
