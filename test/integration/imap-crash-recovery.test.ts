import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCheckpoint } from '../../src/db/repositories/mailbox-state-repository.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { eventually } from '../helpers/eventually.js';
import { listUids, makeMail } from '../helpers/imap-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * `kill -9` of a real `slagate start` at each step of the per-message protocol, then a restart:
 * every mail must end up as exactly one raw_mail row and one ticket, through the real ingest.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const POINTS = ['after-fetch', 'after-staging', 'after-imap-move', 'before-checkpoint'] as const;
let dovecot: Dovecot;
let tmp: string;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [...POINTS] });
  tmp = mkdtempSync(join(tmpdir(), 'slagate-crash-'));
}, 120_000);
afterAll(async () => {
  await dovecot?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function writeConfig(user: string, database: TestDatabase): string {
  const path = join(tmp, `${user}.json`);
  writeFileSync(path, JSON.stringify({
    instanceName: `crash-test-${user}`,
    database: { url: database.url, poolMax: 3 },
    mailboxes: {
      support: {
        address: 'support@sanarise.example',
        imap: {
          host: dovecot.host, port: dovecot.port, secure: false, user, password: dovecot.password(user),
          backoffInitialMs: 50, backoffMaxMs: 1000, socketTimeoutMs: 10_000, maxIdleTimeMs: 10_000,
        },
      },
      management: { address: 'management@sanarise.example' },
    },
  }));
  return path;
}

function startGatewayProcess(configPath: string, crashAt?: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const env = { ...process.env, SLAGATE_CRASH_AT: crashAt ?? '' };
  const child = spawn(process.execPath, [join(ROOT, 'bin/slagate.js'), 'start', '--config', configPath], {
    cwd: ROOT, env, stdio: ['ignore', process.env.SLAGATE_TEST_CHILD_LOG ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      if (stderr && signal !== 'SIGKILL' && code !== 0) console.log(stderr);
      resolve({ code, signal });
    });
  });
  return { child, exited };
}

async function counts(database: TestDatabase) {
  const [r] = await database.db.execute(sql`select
      (select count(*)::int from raw_mail) as raw,
      (select count(distinct message_id)::int from raw_mail) as distinct_ids,
      (select count(*)::int from tickets) as tickets`) as unknown as { raw: number; distinct_ids: number; tickets: number }[];
  return r!;
}

describe('crash at each step of the ingest protocol', () => {
  for (const point of POINTS) {
    it(`kill -9 ${point}, restart: exactly one row and one ticket per mail`, async () => {
      const database = await createTestDatabase();
      try {
        const account = { host: dovecot.host, port: dovecot.port, user: point, password: dovecot.password(point) };
        await dovecot.append(point, 'INBOX', [1, 2, 3].map((i) => makeMail(`${point}-${i}`, { subject: `Crash ${point} ${i}` })));
        const configPath = writeConfig(point, database);

        const t0 = Date.now();
        const first = startGatewayProcess(configPath, point);
        const crash = await first.exited;
        expect(crash.signal).toBe('SIGKILL');
        const afterCrash = { ...(await counts(database)), inbox: (await listUids(account, 'INBOX')).length };

        const second = startGatewayProcess(configPath);
        // A fourth mail after the restart proves the new process is running passes; its checkpoint
        // (UID 4) is the sign that everything before it is settled too.
        await eventually(async () => {
          const [l] = await database.db.execute(sql`select token from leases where name = 'imap:support'`) as unknown as { token: number }[];
          return Number(l?.token) >= 2;
        }, 20_000, 'the restarted process to take the lease');
        await dovecot.append(point, 'INBOX', makeMail(`${point}-4`, { subject: `Crash ${point} 4` }));
        await eventually(async () => (await getCheckpoint(database.db, 'support'))?.lastUid === 4, 20_000, 'checkpoint 4');
        second.child.kill('SIGTERM');
        const stopped = await second.exited;
        console.log(`${point}: after crash ${JSON.stringify(afterCrash)}, recovered in ${Date.now() - t0} ms`);

        expect(stopped.code).toBe(0);
        expect(await counts(database)).toEqual({ raw: 4, distinct_ids: 4, tickets: 4 });
        expect(await listUids(account, 'INBOX')).toEqual([]);
        expect(await listUids(account, 'Processed')).toHaveLength(4);
        // A clean stop releases the lease at once: nobody waits for it to expire.
        const [lease] = await database.db.execute(sql`select expires_at from leases where name = 'imap:support'`) as unknown as { expires_at: Date }[];
        expect(new Date(lease!.expires_at).getTime()).toBeLessThan(Date.now());
      } finally {
        await database.drop();
      }
    }, 180_000); // a kill -9 and a restart per point: over 45 s at load 27 beside two CPU burners
  }
});
