import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFastPath, parsePipeArgs, DEFAULT_DATA_DIR } from '../../src/cli/ingest/ingest-fast-path.js';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { SlagateError } from '../../src/errors.js';
import { databaseKey } from '../../src/mail-listeners/database-key.js';
import { createIngestSocket } from '../../src/mail-listeners/ingest-socket.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { runCli } from '../helpers/run-cli.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * `slagate ingest` while a gateway runs: the mail goes over the gateway's own socket, the reply
 * comes after the commit, and the gateway's outbox is woken by it (the acknowledgement leaves at
 * once, not at the next poll, which is set far beyond the test's waits here).
 */

const logger = pino({ level: 'silent' });
let database: TestDatabase;
let sink: SmtpSink;
let gateway: Gateway;
let dir: string;
let configPath: string;
let configInput: Record<string, unknown>;

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'slagate-pipe-'));
  configInput = {
    ...structuredClone(DEFAULT_CONFIG_INPUT),
    tokenSecret: 'test-token-secret-0123456789',
    database: { url: database.url, dataDir: join(dir, 'data', 'postgres') },
    smtp: { host: sink.host, port: sink.port, connectionTimeoutMs: 5_000 },
    localMail: { port: 0, outDir: join(dir, 'out') },
    http: { port: 0 },
    outbox: { pollIntervalMs: 60_000 },
    lmtp: { port: 0 },
  };
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(configInput));
  gateway = await startGateway(parseConfig(configInput), { logger, announce: true });
});
afterAll(async () => {
  await gateway?.close();
  await sink?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rows(messageId: string) {
  return await database.db.execute(sql`select mailbox, source, acknowledge from raw_mail where message_id = ${messageId}`) as unknown as
    { mailbox: string; source: string; acknowledge: boolean }[];
}

describe('slagate ingest with a gateway running', () => {
  it('hands the mail to the gateway, prints its outcome after the commit, and the acknowledgement leaves at once', async () => {
    const mail = buildMail({ messageId: '<pipe-1@client.example>', subject: '[Urgent][Login] Cannot log in to Odoo', from: 'Ops <ops@client.example>' });
    const result = await runCli(['-c', configPath, 'ingest', '-f', 'ops@client.example', '--json'], { stdin: mail });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ file: '-', decision: 'new-ticket', acknowledge: true, ticket: { type: 'access', priority: 'critical' } });
    expect(await rows('<pipe-1@client.example>')).toEqual([{ mailbox: 'support', source: 'cli', acknowledge: true }]);
    // The outbox polls once a minute here: only the wake-up on commit sends this within the wait.
    const ack = await eventually(() => sink.accepted.find((m) => m.to.includes('ops@client.example')), 10_000, 'the acknowledgement');
    expect(ack.raw).toMatch(/^Subject: .*SR-/m);
    // The same mail again (an MTA retrying a delivery whose answer it lost) is stored once.
    const again = await runCli(['-c', configPath, 'ingest', '-f', 'ops@client.example'], { stdin: mail });
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^-: duplicate/);
  });

  it('records the MTA\'s envelope sender: a bounce piped with an empty sender gets no answer', async () => {
    const result = await runCli(['-c', configPath, 'ingest', '--sender', '', '-m', 'support'], { stdin: buildMail({ messageId: '<pipe-null@client.example>' }) });
    expect(result.code).toBe(0);
    expect(await rows('<pipe-null@client.example>')).toEqual([{ mailbox: 'support', source: 'cli', acknowledge: false }]);
  });

  it('delivers to the management mailbox when asked', async () => {
    const result = await runCli(['-c', configPath, 'ingest', '-m', 'management'], { stdin: buildMail({ messageId: '<pipe-mgmt@client.example>', to: 'management@sanarise.example' }) });
    expect(result.code).toBe(0);
    expect((await rows('<pipe-mgmt@client.example>')).map((r) => r.mailbox)).toEqual(['management']);
  });

  it('hands files over one by one through the full command too', async () => {
    const a = join(dir, 'a.eml');
    const b = join(dir, 'b.eml');
    writeFileSync(a, buildMail({ messageId: '<pipe-file-a@client.example>' }));
    writeFileSync(b, buildMail({ messageId: '<pipe-file-b@client.example>' }).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const result = await runCli(['-c', configPath, 'ingest', a, b]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split(' ')[0])).toEqual(['new-ticket', 'new-ticket']);
    expect((await rows('<pipe-file-b@client.example>')).map((r) => r.source)).toEqual(['cli']);
  });

  it('never hands mail to a gateway of another database that shares the data folder', async () => {
    // Same folder (so the same gateway.json), another PostgreSQL that is down: the command opens
    // that database itself and asks the MTA to retry; the running gateway is not used.
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...configInput, database: { url: 'postgres://postgres@127.0.0.1:1/none', dataDir: join(dir, 'data', 'postgres') } }));
    const result = await runCli(['-c', other, 'ingest'], { stdin: buildMail({ messageId: '<pipe-other@client.example>' }) });
    expect(result.code).toBe(75);
    expect(await rows('<pipe-other@client.example>')).toEqual([]);
  });
});

describe('slagate ingest against a gateway that cannot commit', () => {
  it('exits 75 (try again later) on the gateway\'s 451, and opens the database itself when the gateway is gone', async () => {
    const here = mkdtempSync(join(tmpdir(), 'slagate-pipe-down-'));
    try {
      const dataDir = join(here, 'data', 'postgres');
      const config = parseConfig({ ...configInput, database: { url: database.url, dataDir } });
      const socket = join(here, 'data', 'run', 'ingest.sock');
      const listener = createIngestSocket({
        path: socket, clock: () => new Date(), logger,
        ingest: async () => { throw new SlagateError('DB_UNAVAILABLE', 'disk full'); },
      });
      await listener.start();
      mkdirSync(join(here, 'data'), { recursive: true });
      writeFileSync(join(here, 'data', 'gateway.json'), JSON.stringify({
        pid: process.pid, http: null, smtp: null, outDir: null,
        ingest: { socket, database: databaseKey(config.database), support: 'support@sanarise.example', management: 'management@sanarise.example' },
      }));
      const path = join(here, 'config.json');
      writeFileSync(path, JSON.stringify({ ...configInput, database: { url: database.url, dataDir } }));
      const mail = buildMail({ messageId: '<pipe-451@client.example>' });
      const refused = await runCli(['-c', path, 'ingest'], { stdin: mail });
      expect(refused.code).toBe(75);
      expect(refused.err).toMatch(/451 4\.3\.0/);
      expect(await rows('<pipe-451@client.example>')).toEqual([]);
      // The gateway stops (its socket goes) but its gateway.json is still there: the command
      // does the work itself.
      await listener.close();
      const direct = await runCli(['-c', path, 'ingest'], { stdin: mail });
      expect(direct.code).toBe(0);
      expect(await rows('<pipe-451@client.example>')).toEqual([{ mailbox: 'support', source: 'cli', acknowledge: true }]);
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
  });
});

describe('the acknowledgement leaves on the commit, whatever the way in', () => {
  // The outbox polls once a minute here: an acknowledgement within the wait was woken by the commit.
  const ackOf = (address: string) => eventually(() => sink.accepted.find((m) => m.to.includes(address)), 10_000, `the acknowledgement to ${address}`);

  it('by LMTP', async () => {
    const { default: nodemailer } = await import('nodemailer');
    const lmtp = gateway.endpoints().lmtp[0] as { host: string; port: number };
    const t = nodemailer.createTransport({ lmtp: true, host: lmtp.host, port: lmtp.port, ignoreTLS: true } as never);
    try {
      const info = await t.sendMail({ envelope: { from: 'lmtp-ack@client.example', to: ['support@sanarise.example'] }, raw: buildMail({ from: 'L <lmtp-ack@client.example>' }) });
      expect(info.accepted).toEqual(['support@sanarise.example']);
    } finally {
      t.close();
    }
    await ackOf('lmtp-ack@client.example');
  });

  it('by the local SMTP listener', async () => {
    const { createRawMailClient } = await import('../../src/smtp/send-raw.js');
    const client = createRawMailClient(gateway.endpoints().smtp!);
    try {
      await client.send({ from: 'smtp-ack@client.example', to: ['support@sanarise.example'] }, buildMail({ from: 'S <smtp-ack@client.example>' }));
    } finally {
      client.close();
    }
    await ackOf('smtp-ack@client.example');
  });
});

describe('the ingest socket', () => {
  it('answers a client that does not speak its protocol with 500 and closes, storing nothing', async () => {
    const { connect } = await import('node:net');
    const socket = connect(join(dir, 'data', 'run', 'ingest.sock'));
    let answer = '';
    socket.on('data', (c: Buffer) => { answer += c.toString(); });
    socket.write('EHLO attacker\r\n');
    await new Promise((r) => socket.once('close', r));
    expect(answer).toMatch(/^500 /);
    const wrongMailbox = connect(join(dir, 'data', 'run', 'ingest.sock'));
    let second = '';
    wrongMailbox.on('data', (c: Buffer) => { second += c.toString(); });
    wrongMailbox.write('SLAGATE-INGEST 1 sales 5\nhello');
    await new Promise((r) => wrongMailbox.once('close', r));
    expect(second).toMatch(/^500 /);
  });

  it('is readable and writable by the gateway\'s user only', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'data', 'run', 'ingest.sock')).mode & 0o777).toBe(0o600);
  });
});

describe('the pipe fast path', () => {
  it('takes only the plain pipe form; anything else goes to the full command', () => {
    expect(parsePipeArgs(['ingest'])).toEqual({ mailbox: 'support' });
    expect(parsePipeArgs(['-c', 'x.json', 'ingest', '-m', 'management', '--sender=', '--json'])).toEqual({ config: 'x.json', mailbox: 'management', sender: '', json: true });
    expect(parsePipeArgs(['ingest', 'mail.eml'])).toBeNull();
    expect(parsePipeArgs(['ingest', '--help'])).toBeNull();
    expect(parsePipeArgs(['ingest', '-m', 'sales'])).toBeNull();
    expect(parsePipeArgs(['--verbose', 'ingest'])).toBeNull();
  });

  it('knows the default data folder of the config', () => {
    expect(parseConfig(DEFAULT_CONFIG_INPUT).database.dataDir).toBe(DEFAULT_DATA_DIR);
  });

  it('leaves standard input unread when no gateway runs', async () => {
    const none = join(dir, 'none.json');
    writeFileSync(none, JSON.stringify({ ...configInput, database: { url: database.url, dataDir: join(dir, 'nowhere', 'postgres') } }));
    const input = { read: () => { throw new Error('read'); }, [Symbol.asyncIterator]: () => { throw new Error('standard input was read'); } };
    const code = await ingestFastPath(['-c', none, 'ingest'], { out: process.stdout, err: process.stderr, in: input as never }, {});
    expect(code).toBeNull();
  });
});
