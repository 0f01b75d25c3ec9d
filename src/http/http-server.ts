import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { SlagateError } from '../errors.js';

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ok: boolean;
  /** The database and each worker, by name. */
  checks: Record<string, ReadinessCheck>;
}

export interface HttpServerOptions {
  /** Loopback unless told otherwise: metrics and health are for the host's agent, not the world. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  metrics: { registry: Registry };
  readiness: () => Promise<Readiness>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** A readiness probe that hangs is answered 503 after this long. */
  readinessTimeoutMs?: number; // default 5_000 (5 seconds)
  /** Extra read-only GET endpoints answering JSON, by path (e.g. `/api/tickets`). */
  json?: Record<string, (query: URLSearchParams) => Promise<unknown>>;
}

export interface HttpServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound address; only after start(). */
  address(): { host: string; port: number };
}

/**
 * Health and metrics over plain node:http: `/healthz` (the process answers), `/readyz` (the
 * database and workers, 200 or 503 with the checks as JSON) and `/metrics` (Prometheus text).
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const host = options.host ?? '127.0.0.1';
  const { logger } = options;
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 5_000;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url }, 'http handler failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const jsonRoute = Object.hasOwn(options.json ?? {}, path) ? options.json![path] : undefined;
    if (!['/healthz', '/readyz', '/metrics'].includes(path) && !jsonRoute) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    if (jsonRoute) {
      send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(await jsonRoute(url.searchParams))}\n`);
    } else if (path === '/healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    } else if (path === '/readyz') {
      const readiness = await probe();
      send(res, readiness.ok ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(readiness)}\n`);
    } else {
      const registry = options.metrics.registry;
      send(res, 200, registry.contentType, await registry.metrics());
    }
  }

  /** A failing or hanging probe is an answer (not ready), never a 500 or a hung request. */
  async function probe(): Promise<Readiness> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Readiness>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, checks: { readiness: { ok: false, detail: `no answer within ${readinessTimeoutMs} ms` } } }),
        readinessTimeoutMs);
    });
    try {
      const result = await Promise.race([options.readiness(), timeout]);
      // Ready only if every check says so, whatever the overall flag claims.
      return { ok: result.ok && Object.values(result.checks).every((c) => c.ok), checks: result.checks };
    } catch (err) {
      logger.warn({ err }, 'readiness probe failed');
      return { ok: false, checks: { readiness: { ok: false, detail: (err as Error).message } } };
    } finally {
      clearTimeout(timer);
    }
  }

  let bound: { host: string; port: number } | undefined;
  return {
    start() {
      return new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, host, () => {
          server.off('error', reject);
          const info = server.address() as AddressInfo;
          bound = { host: info.address, port: info.port };
          logger.info({ host: bound.host, port: bound.port }, 'http server listening');
          resolve();
        });
      });
    },
    close() {
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A scraper's keep-alive connection would otherwise hold close() open for its idle timeout.
        server.closeAllConnections();
      });
    },
    address() {
      if (!bound) throw new SlagateError('INTERNAL', 'http server not started');
      return bound;
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
