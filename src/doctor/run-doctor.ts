import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';
import { checkDatabase } from './check-database.js';
import { checkHolidays } from './check-holidays.js';
import { checkWritableFolder } from './check-local-paths.js';
import { checkImapMailboxes, checkSmtp, type MailServerProbes } from './check-mail-servers.js';
import type { DoctorCheck } from './doctor-check.js';
import { MAILBOXES } from '../policy/priorities.js';

export interface DoctorDeps {
  /** Loads and validates the configuration; throws ConfigError with every problem. */
  loadConfig: () => Config;
  probes: MailServerProbes;
  logger: Logger;
  /** Told each result as soon as it is known, so a slow server does not hide the earlier lines. */
  onCheck?: (check: DoctorCheck) => void;
  /** Told what is being checked now (for progress on a terminal). */
  onStart?: (what: string) => void;
  checkDatabase?: (config: Config) => Promise<DoctorCheck[]>;
  /** Today, for whether the holiday lists still reach far enough. */
  clock?: () => Date;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Checks everything slagate depends on, one result per check, and keeps going after a failure so
 * one run names every problem. Only an invalid configuration stops it: nothing else can be checked.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (...found: (DoctorCheck | null)[]) => {
    for (const c of found) {
      if (!c) continue;
      checks.push(c);
      deps.onCheck?.(c);
    }
  };
  const onStart = deps.onStart ?? (() => {});

  let config: Config;
  try {
    config = deps.loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    add({ name: 'config', ok: false, detail: `the configuration is invalid — fix each of these, then run slagate doctor again:\n${err.problems.map((p) => `- ${p}`).join('\n')}` });
    return { ok: false, checks };
  }
  add({ name: 'config', ok: true, detail: 'loaded and valid' });
  add(checkHolidays(config.policy.calendars, (deps.clock ?? (() => new Date()))()));

  const localMail = MAILBOXES.every((m) => !config.mailboxes[m].imap);
  if (localMail) {
    const { host, port } = config.localMail;
    add(LOOPBACK.test(host)
      ? { name: 'local mail', ok: true, detail: `no IMAP configured: slagate start receives mail by SMTP on ${host}:${port} (loopback only)` }
      : { name: 'local mail', ok: false, detail: `no IMAP configured and localMail.host is ${host}, not a loopback address: anyone who reaches it could inject mail — set localMail.host to 127.0.0.1` });
  }
  if (!config.smtp) {
    const folder = checkWritableFolder('outgoing mail', config.localMail.outDir, 'localMail.outDir');
    add({ ...folder, detail: `no SMTP configured: outgoing mail is written as .eml files; ${folder.detail}` });
  }
  if (!config.database.url) add(checkWritableFolder('embedded database folder', config.database.dataDir, 'database.dataDir'));

  onStart('checking the database');
  add(...await (deps.checkDatabase ?? checkDatabase)(config));
  add(...await checkImapMailboxes(config, deps.probes, deps.logger, onStart));
  add(await checkSmtp(config, deps.probes, onStart));
  return { ok: checks.every((c) => c.ok), checks };
}
