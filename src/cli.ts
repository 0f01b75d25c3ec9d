import type { Config } from './config.js';
import { EXIT, type CliContext, type RegisterCommand } from './cli/context.js';

/**
 * The `slagate` command. Subcommands live one per file in src/cli/ and load what they need
 * themselves, so start-up stays well under a second.
 */
const COMMANDS: (() => Promise<{ register: RegisterCommand }>)[] = [
  () => import('./cli/migrate-command.js'),
  () => import('./cli/ingest-command.js'),
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

export async function main(argv: string[], io: { out?: NodeJS.WritableStream; err?: NodeJS.WritableStream; in?: NodeJS.ReadableStream } = {}): Promise<number> {
  // An MTA's pipe runs `slagate ingest` once per mail: with a gateway running it hands the mail
  // over before commander and the config (zod) are even loaded (src/cli/ingest-fast-path.ts).
  if (argv.slice(2, 5).includes('ingest')) {
    const { ingestFastPath } = await import('./cli/ingest-fast-path.js');
    const code = await ingestFastPath(argv.slice(2), {
      out: io.out ?? process.stdout, err: io.err ?? process.stderr, in: io.in ?? process.stdin,
    }, process.env);
    if (code !== null) return code;
  }
  const [{ Command, CommanderError }, { ConfigError, loadConfig }] = await Promise.all([import('commander'), import('./config.js')]);
  const program = new Command('slagate')
    .description('Email-driven ticketing gateway that runs the SLA clocks of a support agreement')
    .option('-c, --config <file>', 'JSON config file (default: $SLAGATE_CONFIG, else the built-in local setup)')
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
    throw err;
  }
}
