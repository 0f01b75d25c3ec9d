import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTestConfigs, runCli, writeTestConfig } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * What a person typing at the CLI meets (issue 25): the version, priority aliases, a usage error
 * (exit 64) for an id that cannot be one before any database is touched, and one line with a
 * stable code, never a stack trace, for a database that is not set up.
 */
let database: TestDatabase;
let configPath: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  configPath = writeTestConfig({ database: { url: database.url } });
});
afterAll(async () => {
  await database?.drop();
  removeTestConfigs();
});

describe('the slagate command line', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(version);
    }
  });

  it.each(['urgent', 'acil', 'p1', 'Kritik', 'KRİTİK'])('takes the priority alias %s for sla --priority', async (alias) => {
    const r = await runCli(['sla', '--priority', alias, '--received', '2026-03-16T10:00:00+03:00', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ priority: 'critical', firstResponseDue: '2026-03-16T11:00:00.000+03:00' });
  });

  it('takes aliases on sla --stdin too, and still refuses a word that is no priority', async () => {
    const r = await runCli(['sla', '--stdin'], {
      stdin: '{"priority":"yüksek","received":"2026-03-16T10:00:00+03:00"}\n{"priority":"someday","received":"2026-03-16T10:00:00+03:00"}\n',
    });
    const [high, bad] = r.out.trim().split('\n').map((l) => JSON.parse(l) as { priority?: string; error?: string });
    expect(high).toMatchObject({ priority: 'high' });
    expect(bad!.error).toMatch(/priority must be one of/);
  });

  it.each([
    ['outbox', 'show', 'abc'], ['outbox', 'show', '1.5'], ['outbox', 'retry', '0'],
    ['quarantine', 'show', 'x'], ['quarantine', 'retry', '-3'], ['ticket', 'show', 'garbage'], ['ticket', 'show', 'SR-12x'],
  ])('answers %s %s %s with a usage error, not a database error', async (...args) => {
    const r = await runCli(['-c', configPath, ...args]);
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/is invalid for argument/);
    expect(r.err).not.toMatch(/Failed query|NaN|\n\s+at /);
  });

  it('still finds a ticket by any of its spellings and says plainly when there is none', async () => {
    const r = await runCli(['-c', configPath, 'ticket', 'show', '#SR-999999']);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/no ticket or mail SR-999999/);
  });

  it('says in one line, with its code, that the database is not set up: no stack trace', async () => {
    const missing = writeTestConfig({ database: { url: database.url.replace(/\/[^/]+$/, '/slagate_no_such_database') } });
    for (const args of [['report', 'monthly', '--month', '2026-02', '--format', 'html'], ['outbox', 'list']]) {
      const r = await runCli(['-c', missing, ...args]);
      expect(r.code).toBe(70);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/\[DB_UNAVAILABLE\] — check database\.url/);
    }
  });
});
