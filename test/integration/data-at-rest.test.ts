import { lstatSync, mkdtempSync, readdirSync, rmSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { localTokenSecretPath, withLocalTokenSecret } from '../../src/local-token-secret.js';
import { createFileSender } from '../../src/smtp/create-file-sender.js';
import { testConfig } from '../helpers/test-config.js';

/** Every file and folder under `dir` whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) found.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return found;
}

/**
 * Issue 21 (data at rest): the embedded database holds every complaint's text, the token secret
 * lets whoever reads it act as any member of staff, and outgoing mail carries both. None of it
 * may be readable by another user of the machine, whatever the umask (the issue saw 0666).
 */
describe('data at rest is for the gateway\'s user only', () => {
  const root = mkdtempSync(join(tmpdir(), 'slagate-at-rest-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('database files, data folder, token secret and outgoing .eml are 0600/0700, even under umask 0', async () => {
    const previous = process.umask(0);
    try {
      // An older version left the data folder open to all: it is narrowed at open.
      const dataDir = join(root, 'data', 'postgres');
      mkdirSync(join(root, 'data'), { recursive: true, mode: 0o777 });
      chmodSync(join(root, 'data'), 0o777);
      const database = await openDatabase({ ...testConfig('postgres://unused').database, url: undefined, dataDir });
      await database.db.execute(sql`create table complaint (body text)`);
      await database.db.execute(sql`insert into complaint values ('canary-complaint-text')`);
      await database.close();

      const config = withLocalTokenSecret({ ...testConfig('postgres://unused'), tokenSecret: undefined, database: { ...testConfig('postgres://unused').database, url: undefined, dataDir } });
      expect(config.tokenSecret).toBeTruthy();
      expect(lstatSync(localTokenSecretPath(dataDir)).mode & 0o777).toBe(0o600);

      const outDir = join(root, 'data', 'outgoing');
      const sender = createFileSender(outDir);
      await sender.send({
        messageId: '<x.1@sanarise.example>', fromAddress: { address: 'support@sanarise.example' }, replyTo: null,
        to: [{ address: 'deniz@anadolu.example' }], cc: [], subject: 'Test', text: 'canary', html: null, headers: {}, attachments: [],
      });
      expect(readdirSync(outDir).filter((n) => n.endsWith('.eml'))).toHaveLength(1);

      expect(openToOthers(join(root, 'data'))).toEqual([]);
    } finally {
      process.umask(previous);
    }
  }, 120_000);
});
