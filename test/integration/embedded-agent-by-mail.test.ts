import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig, type Config } from '../../src/config.js';
import { parseMail } from '../../src/inbound/parse-mail.js';
import type { ParsedMail } from '../../src/inbound/parsed-mail.js';
import { localTokenSecretPath, withLocalTokenSecret } from '../../src/local-token-secret.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { createRawMailClient } from '../../src/smtp/send-raw.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';

/**
 * The one-command default (embedded database, local mail, no tokenSecret configured) works by
 * mail for agents too: its staff mail carries a signed reply address made with a secret kept
 * beside the database, and the same secret is used after a restart.
 */
describe('agents by mail on the embedded default', () => {
  let dir: string;
  let config: Config;
  let gateway: Gateway | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slagate-embedded-agent-'));
    config = parseConfig({
      ...structuredClone(DEFAULT_CONFIG_INPUT),
      database: { dataDir: join(dir, 'data', 'postgres') },
      localMail: { port: 0, outDir: join(dir, 'data', 'outgoing') },
      http: { port: 0 },
      outbox: { pollIntervalMs: 50 },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
  };
  const deliver = async (from: string, to: string, raw: Buffer) => {
    const client = createRawMailClient(gateway!.endpoints().smtp!);
    try {
      await client.send({ from, to: [to] }, raw);
    } finally {
      client.close();
    }
  };
  const written = async (): Promise<ParsedMail[]> => {
    const out = join(dir, 'data', 'outgoing');
    const names = (() => { try { return readdirSync(out).filter((n) => n.endsWith('.eml')).sort(); } catch { return []; } })();
    return Promise.all(names.map((n) => parseMail(readFileSync(join(out, n)), { maxTextChars: 100_000 })));
  };
  const ticketStatus = async (number: string) => {
    const http = gateway!.endpoints().http!;
    const body = await (await fetch(`http://${http.host}:${http.port}/api/tickets?limit=20`)).json() as { tickets: { number: string; status: string }[] };
    return body.tickets.find((t) => t.number === number)?.status;
  };

  it('signs the agent\'s reply address with a secret of its own, keeps it across a restart, and acts on the agent\'s answer', async () => {
    expect(config.tokenSecret).toBeUndefined();
    await start();
    const secretFile = localTokenSecretPath(config.database.dataDir);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);

    // Critical: the 24/7 calendar, so the agent is told at once whatever hour the test runs.
    await deliver('deniz@anadolu.example', 'support@sanarise.example', buildMail({
      from: 'Deniz Arslan <deniz@anadolu.example>', subject: '[Kritik] Odoo açılmıyor', messageId: '<embedded-1@anadolu.example>',
    }));
    const notice = await eventually(async () => (await written()).find((m) => m.to.some((a) => a.address === 'ayse@sanarise.example')),
      20_000, 'the team notification to Ayşe');
    const replyTo = notice.replyTo[0]!.address;
    expect(replyTo).toMatch(/^support\+[a-z2-7]+@sanarise\.example$/);
    const number = /\[#(SR-\d+)\]/.exec(notice.subject)![1]!;

    // The same secret after a restart: a notification sent before it still works.
    await gateway!.close();
    gateway = undefined;
    expect(withLocalTokenSecret(config).tokenSecret).toBe(secret);
    await start();

    await deliver('ayse@sanarise.example', replyTo, buildMail({
      from: 'Ayşe Yılmaz <ayse@sanarise.example>', to: replyTo, subject: `Re: ${notice.subject}`,
      messageId: '<ayse-answer-1@sanarise.example>', inReplyTo: notice.messageId!, references: notice.messageId!,
      body: '#status resolved\n\nMerhaba Deniz Hanım, sunucuyu yeniden başlattık.\n',
    }));
    await eventually(async () => (await ticketStatus(number)) === 'resolved', 20_000, 'the agent\'s #status resolved');
    const relay = await eventually(async () => (await written()).find((m) => m.to.some((a) => a.address === 'deniz@anadolu.example')
      && m.text.includes('sunucuyu yeniden başlattık')), 20_000, 'the answer relayed to the client');
    expect(relay.text).not.toContain('#status');
  }, 90_000);

  it('leaves a configured secret, a PostgreSQL database and a throwaway one alone', () => {
    expect(withLocalTokenSecret({ ...config, tokenSecret: 'configured-secret-0123456789' }).tokenSecret).toBe('configured-secret-0123456789');
    expect(withLocalTokenSecret({ ...config, database: { ...config.database, url: 'postgres://x@127.0.0.1/db' } }).tokenSecret).toBeUndefined();
    expect(withLocalTokenSecret({ ...config, database: { ...config.database, dataDir: 'memory://' } }).tokenSecret).toBeUndefined();
  });
});
