import { readFileSync } from 'node:fs';
import { connectToGateway, gatewayIngestTarget, ingestThroughGateway } from './ingest-via-gateway.js';

/**
 * `slagate ingest` from an MTA's pipe, before commander, zod and the config are loaded (together
 * about 80 ms of a 150 ms budget): when the arguments are the plain pipe form (standard input,
 * `--mailbox`, `--sender`, `--json`, `--config`) and a gateway runs, the mail goes to its socket
 * straight away. Null: anything else (files, --help, an unreadable config, no gateway), and the
 * full command runs as before, without having read standard input.
 *
 * The config file is only read for where the gateway announces itself (`database.dataDir`); it is
 * validated by the gateway that runs on it, and by the full path whenever there is no gateway.
 */
export async function ingestFastPath(
  args: string[],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; in: NodeJS.ReadableStream },
  env: NodeJS.ProcessEnv,
): Promise<number | null> {
  const parsed = parsePipeArgs(args);
  if (!parsed) return null;
  const database = databaseOf(parsed.config ?? env.SLAGATE_CONFIG, env);
  if (database === null) return null;
  const target = gatewayIngestTarget(database);
  if (!target) return null;
  const session = await connectToGateway(target);
  if (!session) return null;
  let raw: Buffer;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of io.in) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    raw = Buffer.concat(chunks);
  } catch (err) {
    session.close();
    io.err.write(`slagate ingest: ${(err as Error).message}\n`);
    return 74; // EX_IOERR
  }
  return ingestThroughGateway(session, [{ name: '-', raw }], parsed, io);
}

interface PipeArgs {
  config?: string;
  mailbox: 'support' | 'management';
  sender?: string;
  json?: boolean;
}

/** `[-c FILE] ingest [-m MAILBOX] [-f SENDER] [--json]`, in any order after `ingest`; null for anything else. */
export function parsePipeArgs(args: string[]): PipeArgs | null {
  const out: PipeArgs = { mailbox: 'support' };
  let i = 0;
  const value = (): string | null => (i + 1 < args.length ? args[++i]! : null);
  for (; i < args.length && args[i] !== 'ingest'; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--config') {
      const v = value();
      if (v === null) return null;
      out.config = v;
    } else if (a.startsWith('--config=')) out.config = a.slice('--config='.length);
    else return null;
  }
  if (args[i] !== 'ingest') return null;
  for (i++; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '-m' || flag === '--mailbox') {
      const v = inline ?? value();
      if (v !== 'support' && v !== 'management') return null;
      out.mailbox = v;
    } else if (flag === '-f' || flag === '--sender') {
      const v = inline ?? value();
      if (v === null) return null;
      out.sender = v;
    } else if (a === '--json') out.json = true;
    else return null; // a file, `-` or an option this path does not know: the full command decides
  }
  return out;
}

/** The default of `database.dataDir` in config.ts (a unit test keeps the two equal). */
export const DEFAULT_DATA_DIR = './data/postgres';

/**
 * `database` of the config file as loadConfig would see it (DATABASE_URL wins over the file),
 * with the default folder when it has none; null when the file cannot be read.
 */
export function databaseOf(path: string | undefined, env: NodeJS.ProcessEnv): { url?: string; dataDir: string } | null {
  let database: { url?: unknown; dataDir?: unknown } = {};
  if (path) {
    try {
      database = (JSON.parse(readFileSync(path, 'utf8')) as { database?: typeof database }).database ?? {};
    } catch {
      return null;
    }
  }
  const url = env.DATABASE_URL || (typeof database.url === 'string' ? database.url : undefined);
  return { url, dataDir: typeof database.dataDir === 'string' ? database.dataDir : DEFAULT_DATA_DIR };
}
