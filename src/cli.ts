import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { EXIT, type CliContext, type RegisterCommand } from './cli/context.js';

/**
 * The `slagate` command. Subcommands live one per file in src/cli/ and load what they need
 * themselves, so start-up stays well under a second.
 */
const COMMANDS: (() => Promise<{ register: RegisterCommand }>)[] = [
  () => import('./cli/migrate-command.js'),
  () => import('./cli/ingest/ingest-command.js'),
  () => import('./cli/replay-command.js'),
  () => import('./cli/classify-command.js'),
  () => import('./cli/report-command.js'),
  () => import('./cli/sla-command.js'),
  () => import('./cli/outbox-command.js'),
  () => import('./cli/tickets-command.js'),
  () => import('./cli/attachment-command.js'),
  () => import('./cli/quarantine-command.js'),
  () => import('./cli/noise-command.js'),
  () => import('./cli/doctor-command.js'),
  () => import('./cli/start-command.js'),
  () => import('./cli/demo-command.js'),
];

/**
 * A database that is not set up for slagate (no such database, refused login, no schema): the
 * operator's to fix, so a hint rather than a stack trace. Null for anything else.
 */
function databaseSetupProblem(err: unknown): string | null {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code === '3D000' || code.startsWith('28')) return 'check database.url (or DATABASE_URL), then run slagate doctor';
    if (code === '42P01') return 'the schema is missing: run slagate migrate';
  }
  return null;
}

/** The version in package.json (beside dist/ and src/ alike): `slagate --version`. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[], io: { out?: NodeJS.WritableStream; err?: NodeJS.WritableStream; in?: NodeJS.ReadableStream } = {}): Promise<number> {
  // An MTA's pipe runs `slagate ingest` once per mail: with a gateway running it hands the mail
  // over before commander and the config (zod) are even loaded (src/cli/ingest/ingest-fast-path.ts).
  if (argv.slice(2, 5).includes('ingest')) {
    const { ingestFastPath } = await import('./cli/ingest/ingest-fast-path.js');
    const code = await ingestFastPath(argv.slice(2), {
      out: io.out ?? process.stdout, err: io.err ?? process.stderr, in: io.in ?? process.stdin,
    }, process.env);
    if (code !== null) return code;
  }
  const [{ Command, CommanderError }, { ConfigError, loadConfig }] = await Promise.all([import('commander'), import('./config.js')]);
  const program = new Command('slagate')
    .description('Email-driven ticketing gateway that runs the SLA clocks of a support agreement')
    .option('-c, --config <file>', 'JSON config file (default: $SLAGATE_CONFIG, else the built-in local setup)')
    .version(packageVersion(), '-V, --version', 'print the version of slagate')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (io.out ?? process.stdout).write(s),
      writeErr: (s) => (io.err ?? process.stderr).write(s),
    });

  let config: Config | undefined;
  const ctx: CliContext = {
    out: io.out ?? process.stdout,
    err: io.err ?? process.stderr,
    in: io.in,
    exitCode: EXIT.OK,
    config() {
      config ??= loadConfig({ path: program.opts<{ config?: string }>().config });
      return config;
    },
  };
  for (const load of COMMANDS) (await load()).register(program, ctx);

  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof ConfigError) {
      ctx.err.write(`${err.message}\n`);
      return EXIT.CONFIG;
    }
    // An expected failure (ours, with its stable code, or the database out of reach) is one line
    // and an exit code that says whether trying again can help; only a bug gets a stack trace.
    const { SlagateError, describeError, isTransientError } = await import('./errors.js');
    const setup = databaseSetupProblem(err);
    if (err instanceof SlagateError || isTransientError(err) || setup) {
      const code = err instanceof SlagateError ? err.code : 'DB_UNAVAILABLE';
      ctx.err.write(`slagate: ${describeError(err)} [${code}]${setup ? ` — ${setup}` : ''}\n`);
      return isTransientError(err) ? EXIT.TEMPFAIL : EXIT.SOFTWARE;
    }
    throw err;
  }
}
