import { appendFileSync, chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { createRawMailClient } from '../../src/smtp/send-raw.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { buildMail } from '../helpers/mail-builder.js';
import { NOBODY, startPostfix, type Postfix } from '../helpers/postfix.js';
import { spawnTied } from '../helpers/spawn-tied.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * slagate behind a real Postfix, configured as the README's recipe says: client mail reaches
 * slagate by LMTP (support@sanarise.example) and by the pipe (support@piped.sanarise.example,
 * `slagate ingest -f ${sender}` as Postfix's pipe runs it), slagate's own mail goes out through
 * Postfix (its `smtp` peer) to local Maildirs of client.example, and a mail to a client address
 * that does not exist comes back as Postfix's own DSN, which slagate takes as a bounce of its
 * acknowledgement and answers with nothing: the loop stops by itself.
 */

const logger = pino({ level: 'silent' });
const BIN = resolve('bin/slagate.js');
let database: TestDatabase;
/** slagate reaches PostgreSQL through it, so a test can take the database away and bring it back. */
let pgProxy: TcpProxy;
let postfix: Postfix;
let gateway: Gateway | undefined;
let dir: string;
let configInput: Record<string, unknown>;

async function startSlagate(): Promise<Gateway> {
  const g = await startGateway(parseConfig(configInput), { logger, announce: true });
  // The pipe runs as `nobody` (Postfix never runs a pipe as root); the gateway's user is root in
  // the tests, so its socket is handed to the pipe's user, as the README's recipe has them be one.
  chownSync(join(dir, 'data', 'run', 'ingest.sock'), NOBODY.uid, NOBODY.gid);
  return g;
}

beforeAll(async () => {
  database = await createTestDatabase();
  pgProxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  const viaProxy = new URL(database.url);
  viaProxy.host = `${pgProxy.host}:${pgProxy.port}`;
  dir = mkdtempSync(join(tmpdir(), 'slagate-mta-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'data'), { mode: 0o755 });
  const lmtpPort = await freePort();
  const configPath = join(dir, 'config.json');
  postfix = await startPostfix({
    lmtp: `inet:127.0.0.1:${lmtpPort}`,
    lmtpDomains: ['sanarise.example'],
    pipe: `${process.execPath} ${BIN} -c ${configPath} ingest -f \${sender} -m support`,
    pipeDomains: ['piped.sanarise.example'],
    mailboxes: ['deniz@client.example', 'ayse@sanarise.example'],
  });
  configInput = {
    ...structuredClone(DEFAULT_CONFIG_INPUT),
    tokenSecret: 'test-token-secret-0123456789',
    // Short server-side timeouts keep the transaction deadline (their sum, 20 s) short: a
    // connection the driver left stuck ends the gateway, which the supervisor restarts.
    database: { url: viaProxy.toString(), dataDir: join(dir, 'data', 'postgres'), statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000 },
    smtp: { host: postfix.host, port: postfix.port, connectionTimeoutMs: 10_000 },
    localMail: { port: 0, outDir: join(dir, 'out') },
    http: { port: 0 },
    lmtp: { port: lmtpPort },
    outbox: { pollIntervalMs: 500 },
  };
  writeFileSync(configPath, JSON.stringify(configInput));
  chmodSync(configPath, 0o644);
  gateway = await startSlagate();
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await postfix?.stop();
  await pgProxy?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function submit(from: string, to: string[], raw: Buffer): Promise<void> {
  const client = createRawMailClient({ host: postfix.host, port: postfix.port });
  try {
    await client.send({ from, to }, raw);
  } finally {
    client.close();
  }
}

async function rowsOf(messageId: string) {
  return await database.db.execute(sql`select mailbox, source, decision, acknowledge, convert_from(raw, 'UTF8') as raw from raw_mail where message_id = ${messageId} order by id`) as unknown as
    { mailbox: string; source: string; decision: string; acknowledge: boolean; raw: string }[];
}

const until = <T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000) =>
  eventually(check, ms, `${what}\n--- postfix log ---\n${postfix.log().split('\n').slice(-30).join('\n')}`);

describe('slagate behind a real Postfix', () => {
  it('takes client mail that Postfix delivers by LMTP, and its acknowledgement leaves through Postfix to the client\'s mailbox', async () => {
    const raw = buildMail({ messageId: '<mta-lmtp@client.example>', from: 'Deniz Aksoy <deniz@client.example>', subject: '[Acil] Fatura ekranı açılmıyor' });
    await submit('deniz@client.example', ['support@sanarise.example'], raw);
    const row = await until('the LMTP delivery', async () => (await rowsOf('<mta-lmtp@client.example>'))[0]);
    expect(row).toMatchObject({ mailbox: 'support', source: 'lmtp', decision: 'new-ticket', acknowledge: true });
    // What a real MTA adds is there: the envelope sender as Return-Path, Postfix's Received.
    expect(row.raw).toMatch(/^Return-Path: <deniz@client\.example>\r\n/);
    expect(row.raw).toMatch(/^Received: from [\s\S]{0,200}?by mx\.sanarise\.example \(Postfix\)/m);
    const ack = await until('the acknowledgement in deniz\'s Maildir', () => postfix.maildir('deniz@client.example').find((m) => /mta-lmtp@client\.example/.test(m)));
    // Issue 21: the envelope sender is our signed bounce address (BATV), so only a real DSN counts.
    expect(ack).toMatch(/^Return-Path: <support\+b[a-z2-7]{16}@sanarise\.example>/m);
    expect(ack).toMatch(/^Received: from [\s\S]{0,200}?by mx\.sanarise\.example \(Postfix\)/m);
    expect(ack).toMatch(/^In-Reply-To: <mta-lmtp@client\.example>/m);
  });

  it('takes mail that Postfix pipes to `slagate ingest`, handed to the running gateway', async () => {
    const raw = buildMail({ messageId: '<mta-pipe@client.example>', from: 'Deniz Aksoy <deniz@client.example>', to: 'support@piped.sanarise.example' });
    await submit('deniz@client.example', ['support@piped.sanarise.example'], raw);
    const row = await until('the piped delivery', async () => (await rowsOf('<mta-pipe@client.example>'))[0]);
    expect(row).toMatchObject({ mailbox: 'support', source: 'cli', decision: 'new-ticket', acknowledge: true });
    expect(row.raw).toMatch(/^Return-Path: <deniz@client\.example>\r\n/);
    await until('the pipe\'s success in the log', () => /to=<support@piped\.sanarise\.example>.*status=sent \(delivered via slagatepipe service/.test(postfix.log()));
  });

  it('answers a bounce of its acknowledgement (Postfix\'s own DSN) with nothing: the loop stops', { timeout: 180_000 }, async () => {
    const raw = buildMail({ messageId: '<mta-ghost@client.example>', from: 'Ghost <nobody-here@client.example>', subject: 'Yardım lütfen' });
    await submit('nobody-here@client.example', ['support@sanarise.example'], raw);
    await until('the ticket', async () => (await rowsOf('<mta-ghost@client.example>'))[0]);
    // The acknowledgement goes to an address Postfix has no mailbox for: Postfix bounces it to
    // the envelope sender, support@, by LMTP.
    const bounce = await until('Postfix\'s DSN at slagate', async () => {
      const rows = await database.db.execute(sql`select message_id, decision, acknowledge, convert_from(raw, 'UTF8') as raw from raw_mail
        where position('MAILER-DAEMON' in convert_from(raw, 'UTF8')) > 0 and source = 'lmtp'`) as unknown as
        { message_id: string; decision: string; acknowledge: boolean; raw: string }[];
      return rows[0];
    }, 90_000);
    expect(bounce.raw).toMatch(/^Return-Path: <>\r\n/);
    expect(bounce.raw).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/i);
    expect(bounce.decision).toBe('bounce');
    expect(bounce.acknowledge).toBe(false);
    // Nothing is sent back to the mailer daemon, now or a while later, and Postfix's queue drains.
    await until('an empty Postfix queue', () => postfix.queue().length === 0);
    await new Promise((r) => setTimeout(r, 2_000));
    const toDaemon = await database.db.execute(sql`select count(*)::int as n from outbox where lower("to"::text) like '%mailer-daemon%'`) as unknown as { n: number }[];
    expect(toDaemon[0]!.n).toBe(0);
    expect(postfix.queue()).toEqual([]);
  });

  it('loses and duplicates nothing when slagate restarts in the middle of a stream of LMTP deliveries', async () => {
    const count = 30;
    const ids = Array.from({ length: count }, (_, i) => `<mta-stream-${i}@client.example>`);
    const sending = (async () => {
      for (const [i, id] of ids.entries()) {
        await submit('deniz@client.example', ['support@sanarise.example'], buildMail({ messageId: id, from: 'Deniz <deniz@client.example>', subject: `Akış ${i}` }));
      }
    })();
    // Stop the gateway once some of the stream is in, while Postfix is still delivering.
    await until('the first deliveries', async () => {
      const r = await database.db.execute(sql`select count(*)::int as n from raw_mail where message_id like '<mta-stream-%'`) as unknown as { n: number }[];
      return r[0]!.n >= 5;
    });
    await gateway!.close();
    await sending;
    await new Promise((r) => setTimeout(r, 1_500));
    gateway = await startSlagate();
    postfix.flush();
    await until('every mail of the stream stored', async () => {
      const r = await database.db.execute(sql`select count(*)::int as n from raw_mail where message_id like '<mta-stream-%'`) as unknown as { n: number }[];
      return r[0]!.n >= count;
    }, 120_000);
    await until('an empty Postfix queue', () => postfix.queue().length === 0, 60_000);
    const rows = await database.db.execute(sql`select message_id, count(*)::int as n from raw_mail where message_id like '<mta-stream-%' group by message_id`) as unknown as { message_id: string; n: number }[];
    expect(rows.map((r) => r.message_id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    // Postfix deferred some of them while slagate was down (that is the point of the test).
    expect(postfix.log()).toMatch(/to=<support@sanarise\.example>.*status=deferred/);
  }, 240_000);

  // It used to hang: postgres.js left a reconnected connection stuck mid-statement, and the LMTP
  // sessions waiting on it never got their reply (test/integration/database-cut.test.ts is the
  // smallest reproduction; src/db/transaction-deadline.ts the fix).
  it('loses and duplicates nothing when PostgreSQL goes away in the middle of a stream: 451, Postfix retries', async () => {
    // `slagate start` as deployed: its own process, restarted by its supervisor (systemd's
    // Restart=always) should it exit, which it does when postgres.js throws from a connection cut
    // mid-query (PITFALLS.md).
    await gateway!.close();
    gateway = undefined;
    const supervisor = superviseGateway(join(dir, 'config.json'));
    try {
      const count = 30;
      const ids = Array.from({ length: count }, (_, i) => `<mta-pg-${i}@client.example>`);
      const stored = async () => ((await database.db.execute(sql`select count(*)::int as n from raw_mail where message_id like '<mta-pg-%'`)) as unknown as { n: number }[])[0]!.n;
      const sending = (async () => {
        for (const [i, id] of ids.entries()) {
          await submit('deniz@client.example', ['support@sanarise.example'], buildMail({ messageId: id, from: 'Deniz <deniz@client.example>', subject: `Veritabanı ${i}` }));
        }
      })();
      await until('the first deliveries', async () => (await stored()) >= 5);
      // The database "restarts": every connection cut, new ones refused for a while.
      pgProxy.refuse(true);
      pgProxy.resetAll();
      await sending;
      await until('a delivery deferred with 451 or a refused connection', () => /to=<support@sanarise\.example>.*status=deferred/.test(postfix.log().split('Veritabanı')[0]!) || /to=<support@sanarise\.example>.*status=deferred/.test(postfix.log()), 60_000);
      await new Promise((r) => setTimeout(r, 2_000));
      pgProxy.refuse(false);
      postfix.flush();
      await until('every mail of the stream stored', async () => (await stored()) >= count, 150_000).catch((err) => {
        if (process.env.SLAGATE_TEST_GATEWAY_LOG) writeFileSync(`${process.env.SLAGATE_TEST_GATEWAY_LOG}.postfix`, postfix.log());
        throw err;
      });
      await until('an empty Postfix queue', () => postfix.queue().length === 0, 60_000);
      const rows = await database.db.execute(sql`select message_id, count(*)::int as n from raw_mail where message_id like '<mta-pg-%' group by message_id`) as unknown as { message_id: string; n: number }[];
      expect(rows.map((r) => r.message_id).sort()).toEqual([...ids].sort());
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await supervisor.stop();
    }
  }, 300_000);
});

/** `slagate start` in a child process, started again whenever it exits until stop(). */
function superviseGateway(configPath: string) {
  let child: ChildProcess | undefined;
  let stopping = false;
  const launch = () => {
    const c = spawnTied(process.execPath, [BIN, '-c', configPath, 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    if (process.env.SLAGATE_TEST_GATEWAY_LOG) {
      c.stdout!.on('data', (d) => appendFileSync(process.env.SLAGATE_TEST_GATEWAY_LOG!, d));
      c.stderr!.on('data', (d) => appendFileSync(process.env.SLAGATE_TEST_GATEWAY_LOG!, d));
    } else {
      c.stdout!.resume();
      c.stderr!.resume();
    }
    c.once('exit', () => {
      if (!stopping) setTimeout(launch, 300);
    });
  };
  launch();
  return {
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 25_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
