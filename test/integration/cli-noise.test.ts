import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUNCES_DIR } from '../helpers/bounce-corpus-expected.js';
import { removeTestConfigs, runCli, writeTestConfig } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let config: string;

beforeAll(async () => {
  database = await createTestDatabase();
  config = writeTestConfig({ database: { url: database.url } });
});
afterAll(async () => {
  await database.drop();
  removeTestConfigs();
});

describe('machine mail on the command line (issue 22)', () => {
  it('replays the bounce corpus acknowledging none, opening no ticket, with a verdict and its signals for each', async () => {
    const files = readdirSync(BOUNCES_DIR).filter((f) => f.endsWith('.eml')).map((f) => join(BOUNCES_DIR, f));
    const result = await runCli(['-c', config, 'replay', '--json', ...files]);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(213);
    expect(lines.filter((l) => l.acknowledge !== false)).toEqual([]);
    expect(lines.filter((l) => l.ticket !== null)).toEqual([]);
    // The four rhost-outlook-06..09 are lhost-outlook-06..09 again: duplicates, judged once.
    const judged = lines.filter((l) => l.decision !== 'duplicate');
    expect(judged).toHaveLength(209);
    for (const l of judged) expect(String(l.reason), String(l.file)).toContain(`${String(l.verdict)} (`);
  }, 180_000);

  it('lists recorded machine mail with its verdict, filters by verdict, and shows the raw mail', async () => {
    for (const f of ['lhost-qmail-02.eml', 'lhost-fml-02.eml', 'arf-01.eml']) {
      expect((await runCli(['-c', config, 'ingest', '--mailbox', 'support', join(BOUNCES_DIR, f)])).code).toBe(0);
    }
    const all = (await runCli(['-c', config, 'noise', 'list', '--json'])).out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all.map((r) => r.verdict)).toEqual(['feedback-report', 'list', 'delivery-failure']);
    expect(all[2]).toMatchObject({ decision: 'bounce', mailbox: 'support' });
    expect(String(all[2]!.reason)).toContain('failed: userunknown@example.jp 5.1.1 permanent, filtered@example.jp 5.2.1 permanent');

    const lists = await runCli(['-c', config, 'noise', 'list', '--verdict', 'list']);
    expect(lists.code).toBe(0);
    expect(lists.out).toMatch(/^\s*\d+\s.*support\s+machine\s+list\s/m);
    expect(lists.out).not.toContain('delivery-failure');

    const show = await runCli(['-c', config, 'noise', 'show', String(all[0]!.id)]);
    expect(show.out).toContain(`raw mail ${String(all[0]!.id)}: bounce: feedback report: feedback-report (`);
    expect(show.out).toContain('Content-Type: message/feedback-report');
    expect((await runCli(['-c', config, 'noise', 'show', 'x'])).code).toBe(64);
  }, 180_000);
});
