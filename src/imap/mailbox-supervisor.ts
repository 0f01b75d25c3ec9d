import type { Logger } from 'pino';
import type { ImapSettings } from '../config.js';
import type { SlagateError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import { createImapSession, toImapError, type ImapSession } from './open-session.js';

export interface SupervisorDeps {
  settings: ImapSettings;
  logger: Logger;
  /** One catch-up pass over the folder; run after every (re)connect, on new mail, and on a timer. */
  sync: (client: ImapSession, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  /** How long to wait after the server refused the credentials (default: backoffMaxMs). */
  authBackoffMs?: number;
  /** Told each time a lost or refused session is about to be replaced (the restarts metric). */
  onReconnect?: () => void;
  /**
   * Told when a session has made its first pass, with a way to ask for one more (it settles when
   * that pass ends, failed or not; a failure is handled as any pass's), and with null when the
   * session ends. The management mailbox's passes are asked for by support (workers/management-first.ts).
   */
  onSession?: (pass: (() => Promise<void>) | null) => void;
}

export interface Supervisor {
  /** Resolves when stopped; rejects only with LEASE_LOST from a pass (the caller must step down). */
  run(signal: AbortSignal): Promise<void>;
  /** Number of connections that reached a first successful pass. */
  readonly sessions: number;
}

/**
 * Keeps one IMAP connection alive for one mailbox. ImapFlow does not reconnect and cannot be
 * reused, so every close leads to a new instance after an exponential, jittered backoff, then a
 * full catch-up pass. IDLE notices ('exists') trigger a pass, and so does a timer whatever IDLE
 * says: a half-open link or a lost notification must not leave mail waiting.
 */
export function createMailboxSupervisor(deps: SupervisorDeps): Supervisor {
  const { settings, logger } = deps;
  let sessions = 0;

  async function runSession(signal: AbortSignal): Promise<'closed' | 'synced-then-closed'> {
    const client = createImapSession(settings, logger);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    let synced = false;
    let timer: NodeJS.Timeout | undefined;
    let poller: NodeJS.Timeout | undefined;
    let fatal: unknown;
    // Passes never overlap: a request during a pass marks it dirty and one more pass follows.
    let running: Promise<void> | undefined;
    let dirty = false;
    const requestPass = () => {
      if (running) {
        dirty = true;
        return running;
      }
      running = (async () => {
        do {
          dirty = false;
          await deps.sync(client, signal);
        } while (dirty && !signal.aborted && client.usable);
      })().finally(() => { running = undefined; });
      return running;
    };
    const passNow = () => requestPass().catch((err) => {
      if ((err as SlagateError).code === 'LEASE_LOST') fatal = err;
      logger.warn({ err, code: (err as SlagateError).code ?? 'IMAP_COMMAND_FAILED' }, 'mailbox pass failed; reconnecting');
      client.close();
    });
    const passInBackground = () => { void passNow(); };

    try {
      await client.connect();
      // Listening before the first pass: mail arriving during it must cause one more pass.
      client.on('exists', passInBackground);
      await requestPass();
      synced = true;
      sessions += 1;
      deps.onSession?.(passNow);
      logger.info({ host: settings.host, folder: settings.folder }, 'imap session ready');
      timer = setInterval(passInBackground, settings.resyncIntervalMs);
      // New mail is announced by IDLE, or by the answer to a NOOP ('exists' either way). Without
      // IDLE a NOOP is the only way to hear of it; with IDLE it can still come sooner (Dovecot holds
      // an IDLE notice back for 500 ms), when noopIntervalMs asks for that.
      const checkEvery = client.capabilities.has('IDLE') ? settings.noopIntervalMs : settings.pollIntervalMs;
      if (checkEvery > 0) {
        let asking = false; // one NOOP at a time: behind a stuck one they would only pile up
        poller = setInterval(() => {
          if (running || asking || !client.usable) return;
          asking = true;
          client.noop().catch(() => undefined) // a broken link closes the session
            .finally(() => { asking = false; });
        }, checkEvery);
      }
      await Promise.race([closed, aborted]);
    } catch (err) {
      if ((err as SlagateError).code === 'LEASE_LOST') fatal = err;
      else throw toImapError(err, `imap ${settings.user}@${settings.host}:${settings.port}`);
    } finally {
      if (synced) deps.onSession?.(null);
      if (timer) clearInterval(timer);
      if (poller) clearInterval(poller);
      client.off('exists', passInBackground);
      if (signal.aborted && client.usable) {
        // A pass in flight finishes first: its ingest may have committed and its move should land.
        await running?.catch(() => undefined);
        await Promise.race([client.logout().catch(() => undefined), delay(5000)]);
      }
      client.close();
    }
    if (fatal) throw fatal;
    return synced ? 'synced-then-closed' : 'closed';
  }

  return {
    get sessions() { return sessions; },
    async run(signal) {
      let attempt = 0;
      while (!signal.aborted) {
        let wait: number;
        try {
          const how = await runSession(signal);
          if (signal.aborted) break;
          if (how === 'synced-then-closed') attempt = 0;
          wait = backoffDelay(attempt++, { initialMs: settings.backoffInitialMs, maxMs: settings.backoffMaxMs }, deps.random);
          logger.warn({ code: 'IMAP_CONNECTION', retryInMs: wait }, 'imap connection closed; reconnecting');
        } catch (err) {
          if ((err as SlagateError).code === 'LEASE_LOST') throw err;
          if (signal.aborted) break;
          const e = err as SlagateError;
          if (e.code === 'IMAP_AUTH') {
            // Credentials rarely fix themselves within seconds: wait long, say so clearly, retry.
            wait = deps.authBackoffMs ?? settings.backoffMaxMs;
            logger.error({ code: 'IMAP_AUTH', user: settings.user, host: settings.host, retryInMs: wait },
              'imap login refused: check the mailbox credentials');
          } else {
            wait = backoffDelay(attempt++, { initialMs: settings.backoffInitialMs, maxMs: settings.backoffMaxMs }, deps.random);
            logger.warn({ err, code: e.code ?? 'IMAP_CONNECTION', retryInMs: wait }, 'imap connection failed; retrying');
          }
        }
        deps.onReconnect?.();
        await delay(wait, signal);
      }
    },
  };
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
