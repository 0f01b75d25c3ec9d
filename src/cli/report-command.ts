import { Option, type Command } from 'commander';
import type { RenderOptions } from '../reports/report-labels.js';
import type { Report } from '../reports/report-model.js';
import { EXIT, type CliContext, type RegisterCommand } from './context.js';

type Format = 'md' | 'html' | 'json';

interface ReportOptions {
  month?: string;
  quarter?: string;
  client?: string;
  format: Format;
  private?: boolean;
  target: string;
  lang: 'tr' | 'en';
  audience?: 'client';
}

/**
 * `slagate report monthly|quarterly`: the figures for the monthly feedback meeting and the
 * quarterly review. Private (management) tickets appear only with --private.
 */
export const register: RegisterCommand = (program, ctx) => {
  const report = program.command('report').description('SLA performance reports for the monthly meeting and the quarterly review');
  withCommonOptions(report.command('monthly').description('one calendar month (Europe/Istanbul by default)')
    .requiredOption('--month <YYYY-MM>', 'the month, e.g. 2026-03'))
    .action((options: ReportOptions) => run(ctx, 'monthly', options));
  withCommonOptions(report.command('quarterly').description('one calendar quarter')
    .requiredOption('--quarter <YYYY-Qn>', 'the quarter, e.g. 2026-Q1'))
    .action((options: ReportOptions) => run(ctx, 'quarterly', options));
};

function withCommonOptions(command: Command): Command {
  return command
    .option('--client <address|domain>', 'only this requester address, or every address of this domain')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .option('--private', 'management report: include private tickets (complaints)')
    .option('--target <percent>', 'attainment goal drawn as the target line', '95')
    .addOption(new Option('--lang <lang>', 'language of the report (Markdown and HTML)').choices(['tr', 'en']).default('en'))
    .addOption(new Option('--audience <who>', 'client: the report as a client reads it (no remark on what was left out)').choices(['client']));
}

async function run(ctx: CliContext, kind: 'monthly' | 'quarterly', options: ReportOptions): Promise<void> {
  const { monthPeriod, quarterPeriod } = await import('../reports/report-period.js');
  const config = ctx.config();
  const text = kind === 'monthly' ? options.month! : options.quarter!;
  const period = kind === 'monthly' ? monthPeriod(text, config.zone) : quarterPeriod(text, config.zone);
  if (!period) return usage(ctx, `--${kind === 'monthly' ? 'month' : 'quarter'}: "${text}" is not ${kind === 'monthly' ? 'YYYY-MM' : 'YYYY-Qn'}`);
  const target = Number(options.target);
  if (!(target > 0 && target <= 100)) return usage(ctx, `--target: "${options.target}" is not a percentage between 0 and 100`);
  const client = parseClient(options.client);
  if (client === null) return usage(ctx, `--client: "${options.client}" is neither an address nor a domain`);

  const progress = progressWriter(ctx.err);
  const { openDatabase } = await import('../db/client.js');
  const { loadReportRows } = await import('../db/repositories/report-repository.js');
  progress('loading tickets');
  const database = await openDatabase(config.database, { applicationName: 'slagate-report' });
  let rows;
  try {
    rows = await loadReportRows(database.db, {
      from: period.start, to: period.end, includePrivate: options.private === true, client: client ?? undefined,
    });
  } finally {
    await database.close();
  }

  const { buildReport } = await import('../reports/build-report.js');
  const { clientsOf } = await import('../tickets/client-of.js');
  const { policyWorkingMinutes } = await import('../reports/policy-working-minutes.js');
  const built = buildReport({
    period, rows, policy: config.policy, workingMinutes: policyWorkingMinutes(config.policy), now: new Date(),
    includePrivate: options.private === true, client: options.client ?? null,
    clientKey: client && 'address' in client ? 'address' : 'domain', attainmentTarget: target / 100,
    clientOf: (a) => clientsOf(config)(a).name,
    onProgress: (done, total) => { if (done % 500 === 0 || done === total) progress(`measuring tickets ${done}/${total}`); },
  });
  progress(null);
  if (options.audience === 'client' && options.private) return usage(ctx, '--audience client: a client never gets --private');
  const audience = options.audience ?? (options.private ? 'management' : 'team');
  ctx.out.write(await render(built, options.format, { lang: options.lang, audience }));
}

async function render(report: Report, format: Format, options: RenderOptions): Promise<string> {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'html') return (await import('../reports/render-html.js')).renderHtml(report, options);
  return (await import('../reports/render-markdown.js')).renderMarkdown(report, options);
}

/** undefined: no filter; null: not understood. Addresses are lowercased ASCII-only (docs/PITFALLS.md). */
function parseClient(text: string | undefined): { address: string } | { domain: string } | null | undefined {
  if (text === undefined) return undefined;
  const value = text.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return { address: value };
  if (/^[^@\s]+\.[^@\s]+$/.test(value)) return { domain: value };
  return null;
}

function usage(ctx: CliContext, message: string): void {
  ctx.err.write(`slagate report: ${message}\n`);
  ctx.exitCode = EXIT.USAGE;
}

/** Progress on one rewritten stderr line, and only for a person watching a terminal. */
function progressWriter(err: NodeJS.WritableStream): (message: string | null) => void {
  if (!(err as { isTTY?: boolean }).isTTY) return () => {};
  return (message) => err.write(message === null ? '\r\x1b[K' : `\r\x1b[K${message}…`);
}
