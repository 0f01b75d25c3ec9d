import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { spawnTied } from './spawn-tied.js';

/**
 * A private Postfix per test file (Debian's `postfix` package; the system instance is never
 * used): its own config_directory, queue_directory and data_directory in a temporary folder,
 * smtpd on a free loopback port only, and no way out: mail for the support domains goes to
 * slagate (LMTP or the pipe), mail for the client domain to local Maildirs (the `virtual`
 * delivery agent), and everything else to the `error` transport. No DNS, no relayhost: no other
 * host is ever contacted. Retries are fast (seconds, not Postfix's minutes) so that a deferred
 * delivery comes back within a test.
 */

const POSTFIX = '/usr/sbin/postfix';
const POSTQUEUE = '/usr/sbin/postqueue';
/** The unprivileged user the pipe and the virtual Maildirs run as (Postfix refuses root for both). */
export const NOBODY = { uid: 65534, gid: 65534 };

export interface PostfixOptions {
  /** Where mail for `lmtpDomains` goes: `inet:127.0.0.1:PORT` or `unix:/path`. */
  lmtp?: string;
  lmtpDomains?: string[];
  /** The pipe transport for `pipeDomains`: argv after `argv=` (${sender} etc. expanded by Postfix). */
  pipe?: string;
  pipeDomains?: string[];
  /** Local Maildirs (virtual(8)), e.g. `ayse@client.example`; other addresses of their domains bounce. */
  mailboxes?: string[];
}

export interface Postfix {
  host: string;
  port: number;
  dir: string;
  /** Messages delivered to a local mailbox, oldest first. */
  maildir(address: string): string[];
  /** The mail log so far (for assertions and failure messages). */
  log(): string;
  /** Asks the queue manager to retry deferred mail now (`postqueue -f`). */
  flush(): void;
  /** Mail still in the queue (`postqueue -j`, one JSON object a message). */
  queue(): { queue_id: string; queue_name: string; recipients: { address: string; delay_reason?: string }[] }[];
  stop(): Promise<void>;
}

export async function startPostfix(options: PostfixOptions): Promise<Postfix> {
  const dir = mkdtempSync(join(tmpdir(), 'slagate-postfix-'));
  // Postfix's daemons (user postfix) and the pipe and virtual agents (nobody) must traverse it.
  chmodSync(dir, 0o755);
  const etc = join(dir, 'etc');
  const data = join(dir, 'data');
  const mail = join(dir, 'mail');
  for (const d of [etc, join(dir, 'queue'), data, mail]) mkdirSync(d);
  const postfixUser = spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' });
  chownSync(data, Number(postfixUser.stdout.trim()), -1);
  chownSync(mail, NOBODY.uid, NOBODY.gid);
  const port = await freePort();

  const transports = [
    ...(options.lmtpDomains ?? []).map((d) => `${d}=lmtp:${options.lmtp}`),
    ...(options.pipeDomains ?? []).map((d) => `${d}=slagatepipe:`),
  ];
  const mailboxes = options.mailboxes ?? [];
  const virtualDomains = [...new Set(mailboxes.map((a) => a.slice(a.indexOf('@') + 1)))];
  writeFileSync(join(etc, 'main.cf'), `
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${data}
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.sanarise.example
mydomain = sanarise.example
myorigin = sanarise.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains = ${[...(options.lmtpDomains ?? []), ...(options.pipeDomains ?? [])].join(', ')}
transport_maps = ${transports.length ? `inline:{ ${transports.join(', ')} }` : ''}
default_transport = error:5.7.1 this test Postfix contacts no other host
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# Accept mail for unknown local users and bounce it afterwards: Postfix's own DSN is what we test.
smtpd_reject_unlisted_recipient = no
virtual_mailbox_domains = ${virtualDomains.join(', ')}
virtual_mailbox_base = ${mail}
virtual_mailbox_maps = ${mailboxes.length ? `inline:{ ${mailboxes.map((a) => `${a}=${a}/`).join(', ')} }` : ''}
virtual_uid_maps = static:${NOBODY.uid}
virtual_gid_maps = static:${NOBODY.gid}
virtual_minimum_uid = 100
alias_maps =
alias_database =
local_recipient_maps =
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${tmpdir()}, /var, /dev/stdout
smtp_host_lookup = native
lmtp_host_lookup = native
smtp_dns_support_level = disabled
biff = no
# Retries within a test's time instead of minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
lmtp_connection_cache_on_demand = yes
slagatepipe_destination_recipient_limit = 1
`);
  writeFileSync(join(etc, 'master.cf'), `
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
${options.pipe ? `slagatepipe unix - n n - - pipe\n  flags=q user=nobody argv=${options.pipe}\n` : ''}`);

  const check = spawnSync(POSTFIX, ['-c', etc, 'check'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`postfix check failed:\n${check.stderr}`);
  const child: ChildProcess = spawnTied(POSTFIX, ['-c', etc, 'start-fg'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const log = () => (existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8') : '');
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`postfix exited (${code}) at start:\n${stderr}\n${log()}`)));
  });
  await Promise.race([waitForGreeting(port), exited]);
  exited.catch(() => {});

  return {
    host: '127.0.0.1',
    port,
    dir,
    log,
    maildir(address) {
      const base = join(mail, address);
      const out: string[] = [];
      for (const sub of ['new', 'cur']) {
        const d = join(base, sub);
        if (!existsSync(d)) continue;
        for (const f of readdirSync(d).sort()) out.push(readFileSync(join(d, f), 'latin1'));
      }
      return out;
    },
    flush() {
      spawnSync(POSTQUEUE, ['-c', etc, '-f']);
    },
    queue() {
      const r = spawnSync(POSTQUEUE, ['-c', etc, '-j'], { encoding: 'utf8' });
      return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        spawnSync(POSTFIX, ['-c', etc, 'stop']);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForGreeting(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection(port, '127.0.0.1');
      s.setTimeout(5_000, () => { s.destroy(); resolve(false); });
      s.once('data', (d) => { s.end(); resolve(d.toString().startsWith('220')); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`postfix did not greet on port ${port} within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
