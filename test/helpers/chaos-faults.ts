import type { Dovecot } from './dovecot.js';
import { withAdmin } from './postgres-admin.js';
import type { SmtpSink } from './smtp-sink.js';
import type { TcpProxy } from './tcp-proxy.js';

/**
 * The faults the chaos driver injects while `slagate start` runs. Each one is something a
 * production gateway meets: a reset or silently dead IMAP link, Dovecot restarting, our database
 * sessions killed by an operator or a failover, the SMTP relay down, deferring, or hanging up
 * after it has the message.
 */
export const FAULT_KINDS = [
  'imap-reset', 'imap-blackhole', 'dovecot-restart', 'pg-terminate', 'pg-restart',
  'smtp-down', 'smtp-451', 'smtp-drop-after-data',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultTargets {
  dovecot: Dovecot;
  /** The IMAP link goes through it; without one the IMAP link faults cannot be injected. */
  proxy?: TcpProxy;
  sink: SmtpSink;
  /** The test database: only its slagate sessions are terminated, never anyone else's. */
  databaseName: string;
  /**
   * The server the database is on, when it is one of the suite's own (private-postgres.ts): its
   * sessions are terminated through it, and only then can `pg-restart` be injected.
   */
  server?: { adminUrl: string; restart(): void };
}

export interface FaultInjector {
  inject(kind: FaultKind): Promise<void>;
  /** Message-IDs the sink received and then hung up on (the sender cannot know they arrived). */
  readonly dropped: string[];
  readonly counts: Record<string, number>;
  /** Puts the SMTP sink back to accepting everything. */
  heal(): void;
}

const SMTP_DOWN_MS = 3_000; // long enough for several failed attempts
const SMTP_451_MAILS = 5; // deferred in a row

export function createFaultInjector(t: FaultTargets): FaultInjector {
  const dropped: string[] = [];
  const counts: Record<string, number> = {};
  let deferrals = 0;
  let drops = 0;
  t.sink.policy.data = () => (deferrals > 0 ? (deferrals--, { code: 451, message: 'Try again later (chaos)' }) : undefined);
  t.sink.policy.dropAfterData = (mail) => {
    if (drops === 0) return false;
    drops--;
    if (mail.messageId) dropped.push(mail.messageId);
    return true;
  };

  async function inject(kind: FaultKind): Promise<void> {
    counts[kind] = (counts[kind] ?? 0) + 1;
    switch (kind) {
      case 'imap-reset':
        t.proxy?.resetAll();
        return;
      case 'imap-blackhole':
        t.proxy?.blackhole(true);
        return;
      case 'dovecot-restart':
        await t.dovecot.restart();
        return;
      case 'pg-terminate':
        await withAdmin((sql) => sql`
          select pg_terminate_backend(pid) from pg_stat_activity
          where datname = ${t.databaseName} and application_name like 'slagate%' and pid <> pg_backend_pid()`, t.server?.adminUrl);
        return;
      case 'pg-restart':
        // Never the machine's server: every other client of it would see its sessions die.
        if (!t.server) throw new Error('pg-restart needs the database on a server of the suite\'s own (private-postgres.ts)');
        t.server.restart();
        return;
      case 'smtp-down':
        t.sink.policy.refuseConnections = true;
        await new Promise((r) => setTimeout(r, SMTP_DOWN_MS));
        t.sink.policy.refuseConnections = false;
        return;
      case 'smtp-451':
        deferrals += SMTP_451_MAILS;
        return;
      case 'smtp-drop-after-data':
        drops += 1;
        return;
    }
  }

  return {
    inject,
    dropped,
    counts,
    heal() {
      deferrals = 0;
      drops = 0;
      t.sink.policy.refuseConnections = false;
    },
  };
}
