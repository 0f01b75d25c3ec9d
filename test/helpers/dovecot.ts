import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { appendMessages } from './imap-client.js';
import { spawnTied } from './spawn-tied.js';

/**
 * A private Dovecot per test file: its own config, sockets, state and mail in a temporary folder,
 * listening on a free loopback port. Mail processes run as `mail` because Dovecot refuses root
 * (docs/PITFALLS.md, "Dovecot as a test fixture"); login processes keep the package defaults.
 */

const DOVECOT = process.env.SLAGATE_TEST_DOVECOT ?? '/usr/sbin/dovecot';
const MAIL_UID = 8;
const MAIL_GID = 8;

export interface DovecotUser { name: string; password: string }

export interface Dovecot {
  host: string;
  port: number;
  users: DovecotUser[];
  dir: string;
  /** APPENDs through IMAP (about 150-300 mails/s); the server assigns UIDs and notifies IDLE. */
  /** `internalDate`: the arrival the server records (a test running the gateway on a clock of its own). */
  append(user: string, folder: string, raw: Buffer | string | (Buffer | string)[], opts?: { flags?: string[]; internalDate?: Date }): Promise<void>;
  /** Writes files straight into Maildir/new (thousands per second) for seeding big backlogs. */
  deliverToMaildir(user: string, raw: Buffer | string | (Buffer | string)[], folder?: string): void;
  password(user: string): string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startDovecot(options: {
  users: string[];
  /** Replaces the capabilities announced after login (e.g. without IDLE, as some servers have). */
  capability?: string;
}): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'slagate-dovecot-'));
  // Login and mail processes (other users) must traverse the folder.
  chmodSync(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  mkdirSync(mailRoot);
  chownSync(mailRoot, MAIL_UID, MAIL_GID);
  const users = options.users.map((name) => ({ name, password: `pw-${randomBytes(6).toString('hex')}` }));
  writeFileSync(join(dir, 'users'), users.map((u) => `${u.name}:{PLAIN}${u.password}::::::\n`).join(''));
  chmodSync(join(dir, 'users'), 0o644);

  const port = await freePort();
  const confPath = join(dir, 'dovecot.conf');
  writeFileSync(confPath, configText(dir, port) + (options.capability ? `imap_capability = ${options.capability}\n` : ''));
  const check = spawnSync(DOVECOT, ['-n', '-c', confPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`dovecot -n rejected the config:\n${check.stderr}`);

  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawnTied(DOVECOT, ['-F', '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const exited = new Promise<never>((_, reject) => {
      child!.once('exit', (code) => reject(new Error(`dovecot exited (${code}) at start:\n${stderr}`)));
    });
    await Promise.race([waitForGreeting(port), exited]);
    exited.catch(() => {});
  };
  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  await launch();

  const password = (user: string) => {
    const u = users.find((x) => x.name === user);
    if (!u) throw new Error(`no such dovecot user ${user}`);
    return u.password;
  };
  let seq = 0;
  return {
    host: '127.0.0.1',
    port,
    users,
    dir,
    password,
    async append(user, folder, raw, opts = {}) {
      await appendMessages({ host: '127.0.0.1', port, user, password: password(user) }, folder,
        Array.isArray(raw) ? raw : [raw], opts.flags, opts.internalDate);
    },
    deliverToMaildir(user, raw, folder) {
      password(user);
      const maildir = ensureMaildir(mailRoot, user, folder);
      for (const one of Array.isArray(raw) ? raw : [raw]) {
        // Written in tmp and renamed, as a delivery agent does, so Dovecot never sees half a file;
        // the name is never reused (time, pid, counter).
        const name = `${Date.now()}.P${process.pid}Q${++seq}.slagate-test`;
        const tmpFile = join(maildir, 'tmp', name);
        writeFileSync(tmpFile, one);
        chownSync(tmpFile, MAIL_UID, MAIL_GID);
        renameSync(tmpFile, join(maildir, 'new', name));
      }
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

function configText(dir: string, port: number): string {
  return `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = slagate-${port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_uid = mail
mail_gid = mail
first_valid_uid = ${MAIL_UID}
last_valid_uid = 0
mail_location = maildir:${dir}/mail/%u/Maildir
mail_max_userip_connections = 500
imap_idle_notify_interval = 1 secs
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

function ensureMaildir(mailRoot: string, user: string, folder?: string): string {
  const home = join(mailRoot, user);
  const base = join(home, 'Maildir');
  const maildir = folder && folder !== 'INBOX' ? join(base, `.${folder}`) : base;
  for (const d of [home, base, maildir, join(maildir, 'new'), join(maildir, 'cur'), join(maildir, 'tmp')]) {
    mkdirSync(d, { recursive: true });
    chownSync(d, MAIL_UID, MAIL_GID);
  }
  return maildir;
}

async function waitForGreeting(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port });
      sock.setTimeout(2000, () => { sock.destroy(); resolve(false); });
      sock.once('data', (d) => { sock.destroy(); resolve(/^\* OK/.test(d.toString())); });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not greet on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
