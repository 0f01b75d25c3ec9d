import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * A PostgreSQL cluster of the chaos suite's own, in a temporary folder on a free loopback port,
 * from the machine's PostgreSQL binaries: restarting it breaks no other client of the machine's
 * server, so the server restart is part of every `npm run chaos`. initdb refuses to run as root,
 * so as root the cluster belongs to the `postgres` user and its commands run as that user.
 */
export interface PrivatePostgres {
  /** postgres:// URL of the cluster's `postgres` database (trust auth, user postgres). */
  adminUrl: string;
  url(database: string): string;
  /** A fast restart (`pg_ctl restart -m fast`): every session ends, the server is back when it returns. */
  restart(): void;
  stop(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'slagate-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[], timeoutMs = 60_000) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error}`);
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], 120_000);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', 'start']);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: url('postgres'),
    url,
    restart: () => run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-m', 'fast', '-w', 'restart']),
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The newest installed PostgreSQL's binaries (Debian keeps them out of PATH). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return join(root, newest, 'bin');
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (configured.status === 0) return configured.stdout.trim();
  throw new Error('no PostgreSQL binaries found (looked in /usr/lib/postgresql/*/bin and pg_config --bindir)');
}
