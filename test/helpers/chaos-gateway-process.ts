import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { spawnTied } from './spawn-tied.js';

/**
 * A real `slagate start` as a child process, as the chaos driver runs it again and again: its
 * config points at the test database, at Dovecot (possibly through a proxy) and at the SMTP sink,
 * with timeouts short enough that faults are noticed within seconds.
 */

export const ROOT = new URL('../../', import.meta.url).pathname;

/** The chaos gateway's SMTP connections: how many of its sends a kill can catch between 250 and record. */
export const CHAOS_SMTP_CONNECTIONS = 2;

export interface ChaosEndpoints {
  databaseUrl: string;
  imap: { host: string; port: number; user: string; password: string };
  smtp: { host: string; port: number };
}

export function writeChaosConfig(dir: string, name: string, endpoints: ChaosEndpoints): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    ...structuredClone(DEFAULT_CONFIG_INPUT),
    // The same name on every restart: the new incarnation takes its lease back at once (fenced).
    instanceName: `chaos-${name}`,
    tokenSecret: 'chaos-token-secret-0123456789',
    database: { url: endpoints.databaseUrl, poolMax: 4, statementTimeoutMs: 10_000, lockTimeoutMs: 2_000, idleInTransactionTimeoutMs: 5_000 },
    mailboxes: {
      support: {
        address: 'support@sanarise.example',
        name: 'Sanarise Destek',
        imap: {
          ...endpoints.imap, secure: false,
          backoffInitialMs: 50, backoffMaxMs: 1_000, socketTimeoutMs: 5_000, maxIdleTimeMs: 5_000, resyncIntervalMs: 5_000,
        },
      },
      management: { address: 'management@sanarise.example', name: 'Sanarise Yönetim' },
    },
    smtp: { ...endpoints.smtp, secure: false, maxConnections: CHAOS_SMTP_CONNECTIONS, connectionTimeoutMs: 2_000, tlsRejectUnauthorized: false },
    http: { host: '127.0.0.1', port: 0 },
    // One row per claim, and CHAOS_SMTP_CONNECTIONS sends at once: when the process dies, at most
    // that many mails can have been in the ambiguous window between the server's 250 and markSent
    // (a mail held for a connection has reached no server).
    outbox: {
      maxAttempts: 1_000, backoffInitialMs: 100, backoffMaxMs: 2_000, leaseMs: 1_000, batchSize: 1, pollIntervalMs: 50,
      // Outages here last seconds, not minutes: probe again quickly once the sink is back.
      breakerCooldownMs: 500, breakerMaxCooldownMs: 2_000,
    },
    limits: { ackPerSenderCap: 1_000_000 },
    sla: { sweepIntervalMs: 60_000 },
  }));
  return path;
}

export interface GatewayProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few KB the process wrote to stderr, for a failure message. */
  stderrTail(): string;
}

export function startGatewayProcess(configPath: string, crashAt?: string): GatewayProcess {
  const env = { ...process.env, SLAGATE_CRASH_AT: crashAt ?? '' };
  // The launcher itself, as `npx slagate start` runs it, with the node flags it starts node with.
  const child = spawnTied(join(ROOT, 'bin/slagate.js'), ['start', '--config', configPath], {
    cwd: ROOT, env, stdio: ['ignore', process.env.SLAGATE_TEST_CHILD_LOG ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, stderrTail: () => stderr };
}

/** SIGTERM, then SIGKILL if the process has not stopped within `graceMs`. */
export async function stopGatewayProcess(p: GatewayProcess, graceMs = 25_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  const result = await p.exited;
  clearTimeout(timer);
  return result;
}
