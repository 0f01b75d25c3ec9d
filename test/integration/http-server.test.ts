import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer, type Readiness } from '../../src/http/http-server.js';
import { createMetrics, type OutboxStats } from '../../src/metrics/registry.js';

const logger = pino({ level: 'silent' });
const servers: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: {
  readiness?: () => Promise<Readiness>;
  outboxStats?: () => Promise<OutboxStats>;
  readinessTimeoutMs?: number;
} = {}) {
  const metrics = createMetrics({ outboxStats: options.outboxStats });
  const server = createHttpServer({
    port: 0, metrics, logger, readinessTimeoutMs: options.readinessTimeoutMs,
    readiness: options.readiness ?? (async () => ({ ok: true, checks: { database: { ok: true } } })),
  });
  await server.start();
  servers.push(server);
  const { host, port } = server.address();
  const get = (path: string, init?: RequestInit) => fetch(`http://${host}:${port}${path}`, init);
  return { server, metrics, get };
}

describe('http server', () => {
  it('listens on loopback by default', async () => {
    const { server } = await serve();
    expect(server.address().host).toBe('127.0.0.1');
    expect(server.address().port).toBeGreaterThan(0);
  });

  it('answers /healthz while the process is alive', async () => {
    const { get } = await serve();
    const res = await get('/healthz');
    expect([res.status, await res.text()]).toEqual([200, 'ok\n']);
  });

  it('answers /readyz 200 with the checks when everything is ready', async () => {
    const checks = { database: { ok: true }, mailbox: { ok: true }, outbox: { ok: true } };
    const { get } = await serve({ readiness: async () => ({ ok: true, checks }) });
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, checks });
  });

  it('answers /readyz 503 naming the check that failed', async () => {
    const checks = { database: { ok: true }, mailbox: { ok: false, detail: 'reconnecting (attempt 3)' } };
    const { get } = await serve({ readiness: async () => ({ ok: true, checks }) });
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, checks });
  });

  it('answers /readyz 503 when the probe throws or never answers', async () => {
    const failing = await serve({ readiness: async () => { throw new Error('connection refused'); } });
    const res = await failing.get('/readyz');
    expect([res.status, await res.json()]).toEqual([503, { ok: false, checks: { readiness: { ok: false, detail: 'connection refused' } } }]);

    const hanging = await serve({ readiness: () => new Promise<Readiness>(() => {}), readinessTimeoutMs: 50 });
    const slow = await hanging.get('/readyz');
    expect(slow.status).toBe(503);
    expect((await slow.json() as Readiness).checks.readiness!.detail).toMatch(/no answer within 50 ms/);
  });

  it('serves the registry in Prometheus text format on /metrics', async () => {
    let reads = 0;
    const { get, metrics } = await serve({ outboxStats: async () => { reads += 1; return { depth: 7, oldestAgeSeconds: 42.5 }; } });
    metrics.mailIngested.inc({ decision: 'created', mailbox: 'support' });
    metrics.mailIngested.inc({ decision: 'created', mailbox: 'support' });
    metrics.ingestLagSeconds.observe(0.7);
    metrics.slaNotifications.inc({ kind: 'sla-breach' });
    metrics.workerRestarts.inc({ worker: 'mailbox:support' });

    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('slagate_mail_ingested_total{decision="created",mailbox="support"} 2');
    expect(text).toContain('slagate_ingest_lag_seconds_bucket{le="1"} 1');
    expect(text).toContain('slagate_outbox_depth 7');
    expect(text).toContain('slagate_outbox_oldest_age_seconds 42.5');
    expect(text).toContain('slagate_sla_notifications_total{kind="sla-breach"} 1');
    expect(text).toContain('slagate_worker_restarts_total{worker="mailbox:support"} 1');
    expect(reads).toBe(1);
  });

  it('shows NaN outbox gauges and reports the error when the outbox cannot be read', async () => {
    const errors: unknown[] = [];
    const metrics = createMetrics({ outboxStats: async () => { throw new Error('db down'); }, onCollectError: (e) => errors.push(e) });
    const text = await metrics.registry.metrics();
    // prom-client spells it "Nan"; Prometheus parses NaN case-insensitively.
    expect(text).toMatch(/^slagate_outbox_depth nan$/im);
    expect(errors).toHaveLength(1);
  });

  it('keeps registries apart: two instances do not share counters', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.workerRestarts.inc({ worker: 'sla' });
    expect(await b.registry.metrics()).not.toContain('worker="sla"');
  });

  it('refuses unknown paths and methods other than GET and HEAD', async () => {
    const { get } = await serve();
    expect((await get('/admin')).status).toBe(404);
    const post = await get('/healthz', { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await get('/healthz', { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('closes promptly with a keep-alive connection open, and stops listening', async () => {
    const { server, get } = await serve();
    const url = `http://127.0.0.1:${server.address().port}/healthz`;
    await (await get('/healthz', { keepalive: true })).text();
    await server.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
