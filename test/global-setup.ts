import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { databaseUrl, withAdmin } from './helpers/postgres-admin.js';

/**
 * One template database per test run, migrated with the real migrations; every test file clones
 * it (CREATE DATABASE ... TEMPLATE takes a fraction of a second) so files never share rows.
 */
export default async function setup(project: TestProject) {
  // Tests that run `node bin/slagate.js` as a child need dist/ to match src/. Built once here, not
  // per file: two files building at once could start a child on half-written output.
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc failed before the tests:\n${build.stdout}${build.stderr}`);
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `slagate_tpl_${runId}`;
  await withAdmin(async (sql) => {
    await dropDatabasesOfDeadRuns(sql);
    await sql.unsafe(`CREATE DATABASE ${template}`);
  });
  const database = await openDatabase({
    url: databaseUrl(template), dataDir: '', poolMax: 1, statementTimeoutMs: 60_000, lockTimeoutMs: 10_000,
    idleInTransactionTimeoutMs: 60_000,
  }, { max: 1 });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  project.provide('pgTemplate', template);
  project.provide('pgRunId', runId);

  return async () => {
    await withAdmin(async (sql) => {
      const rows = await sql<{ datname: string }[]>`
        select datname from pg_database where datname like ${`slagate_%${runId}%`}`;
      for (const { datname } of rows) {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    });
  };
}

/**
 * The databases of earlier runs whose vitest process is gone: a run killed from outside never
 * reaches its teardown. Names carry the run's pid (slagate_tpl_<pid>_… and slagate_t_<pid>_…);
 * a run still alive, this machine's other checkouts included, keeps its own.
 */
async function dropDatabasesOfDeadRuns(sql: postgres.Sql): Promise<void> {
  const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname ~ '^slagate_(tpl|t)_[0-9]+_'`;
  for (const { datname } of rows) {
    const pid = /^slagate_(?:tpl|t)_(\d+)_/.exec(datname)![1];
    if (!existsSync(`/proc/${pid}`)) await sql.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
    pgRunId: string;
  }
}
