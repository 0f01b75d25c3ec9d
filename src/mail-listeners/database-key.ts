import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * Which database a gateway writes to, as gateway.json records it for `slagate ingest`: several
 * configs with their own PostgreSQL but the default data folder share one gateway.json, and a
 * mail must never be handed to a gateway on another database. The URL is hashed: it may hold a
 * password, and no secret goes into a file (CONVENTIONS.md).
 */
export function databaseKey(database: { url?: string; dataDir: string }): string {
  return database.url
    ? `postgres:${createHash('sha256').update(database.url).digest('hex').slice(0, 32)}`
    : `embedded:${resolve(database.dataDir)}`;
}
