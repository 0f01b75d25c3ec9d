import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, type Config } from './config.js';

/**
 * The config with a reply-token secret for the embedded database, when none is configured.
 *
 * Without tokenSecret, staff mail carries no signed reply address and agents cannot act by mail,
 * so the one-command embedded default had no reply-by-email at all. For it, a random secret is
 * made on first use and kept beside the database folder (`token-secret`, mode 0600), and every
 * later start and CLI ingest of that folder signs and checks with the same one. A PostgreSQL
 * deployment still configures its own (SLAGATE_TOKEN_SECRET): its instances must share one, and
 * a file on one machine cannot promise that. A throwaway in-memory database gets none.
 */
export function withLocalTokenSecret(config: Config): Config {
  const { database } = config;
  if (config.tokenSecret || database.url || database.dataDir.startsWith('memory://')) return config;
  const path = localTokenSecretPath(database.dataDir);
  return { ...config, tokenSecret: readOrCreate(path) };
}

/** Where the embedded database's secret is kept: beside its folder, not inside the one PostgreSQL owns. */
export function localTokenSecretPath(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'token-secret');
}

/** 32 random bytes, base64url: well over the 16 characters config requires. */
const SECRET_BYTES = 32;

function readOrCreate(path: string): string {
  const existing = read(path);
  if (existing !== null) return existing;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written whole under another name, then linked into place: link fails if the name exists, so
  // of two processes starting at once one secret wins, and nobody ever reads a half-written file.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(draft, `${randomBytes(SECRET_BYTES).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    linkSync(draft, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError([`tokenSecret: could not create ${path}: ${(err as Error).message}`], { cause: err });
    }
  } finally {
    rmSync(draft, { force: true });
  }
  const created = read(path);
  if (created === null) throw new ConfigError([`tokenSecret: ${path} was created and then went away`]);
  return created;
}

function read(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError([`tokenSecret: could not read ${path}: ${(err as Error).message}`], { cause: err });
  }
  const secret = text.trim();
  if (secret.length < 16) throw new ConfigError([`tokenSecret: ${path} holds fewer than 16 characters; delete it to get a new one`]);
  return secret;
}
