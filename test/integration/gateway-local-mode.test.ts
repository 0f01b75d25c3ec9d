import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import { createRawMailClient } from '../../src/smtp/send-raw.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testConfig } from '../helpers/test-config.js';

/** The whole gateway in-process with no IMAP configured: mail in by SMTP, acknowledgements out as files. */

let database: TestDatabase;
let gateway: Gateway;
let outDir: string;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  outDir = mkdtempSync(join(tmpdir(), 'slagate-gw-'));
  const config = testConfig(database.url, {
    localMail: { port: 0, outDir },
    http: { port: 0 },
    outbox: { pollIntervalMs: 50 },
  });
  gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
  const http = gateway.endpoints().http!;
  base = `http://${http.host}:${http.port}`;
});
afterAll(async () => {
  await gateway?.close();
  await database?.drop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function deliver(to: string[], raw: Buffer) {
  const client = createRawMailClient(gateway.endpoints().smtp!);
  try {
    await client.send({ from: 'deniz@client.example', to }, raw);
  } finally {
    client.close();
  }
}

const getJson = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() as any };
};

describe('slagate start in local mail mode', () => {
  it('runs every worker, with the SMTP listener instead of mailbox workers', () => {
    expect(gateway.workers.map((w) => w.name)).toEqual(['http', 'outbox', 'sla', 'digest', 'report-mail', 'quarterly-review', 'local-smtp']);
  });

  it('turns a mail into a ticket and writes its acknowledgement as an .eml file', async () => {
    await deliver(['support@sanarise.example'], buildMail({ messageId: '<gw-1@client.example>', subject: '[Kritik] Sunucu çöktü' }));
    const { body } = await getJson('/api/tickets?limit=5');
    expect(body.tickets).toHaveLength(1);
    expect(body.tickets[0]).toMatchObject({ priority: 'critical', private: false, mailbox: 'support' });
    const ack = await eventually(async () => {
      const { body: out } = await getJson('/api/outbox?limit=10');
      return out.outbox.find((m: { kind: string; status: string }) => m.kind === 'acknowledgement' && m.status === 'sent');
    }, 10_000, 'the acknowledgement to be sent');
    expect(ack).toMatchObject({ to: ['ayse@client.example'], ticket: body.tickets[0].number });
    // The outbox records which file the sender wrote.
    const files = readdirSync(outDir).filter((n) => n.endsWith('.eml'));
    expect(files.some((f) => Object.values(ack.recipients).join().includes(f))).toBe(true);
  });

  it('never lists a private ticket (issue 20: it was listed without its subject)', async () => {
    await deliver(['management@sanarise.example'], buildMail({ messageId: '<gw-2@client.example>', to: 'management@sanarise.example', subject: '[Şikayet] Gizli konu' }));
    const { body } = await getJson('/api/tickets?limit=10');
    expect(body.tickets.length).toBeGreaterThan(0);
    expect(body.tickets.some((t: { private: boolean }) => t.private)).toBe(false);
    expect(JSON.stringify(body)).not.toContain('Gizli konu');
  });

  it('is healthy and ready, with the database and every worker checked', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const { status, body } = await getJson('/readyz');
    expect(status).toBe(200);
    expect(Object.keys(body.checks)).toEqual(['database', 'http', 'outbox', 'sla', 'digest', 'report-mail', 'quarterly-review', 'local-smtp']);
  });

  it('exposes what it did as Prometheus metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    // The team's mail only: the complaint to management above is not counted (issue 20).
    expect(text).toMatch(/slagate_mail_ingested_total\{decision="new-ticket",mailbox="support"\} 1/);
    expect(text).not.toContain('mailbox="management"');
    expect(text).toMatch(/slagate_ingest_lag_seconds_count 1/);
    expect(text).toMatch(/slagate_outbox_depth \d+/);
    expect(text).toMatch(/slagate_outbox_oldest_age_seconds \d/);
  });

  it('closes every worker and the database', async () => {
    const smtp = gateway.endpoints().smtp!;
    await gateway.close();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    const client = createRawMailClient(smtp);
    await expect(client.send({ from: 'a@b.example', to: ['support@sanarise.example'] }, buildMail({}))).rejects.toThrow();
    client.close();
    gateway = undefined as unknown as Gateway;
  });
});
