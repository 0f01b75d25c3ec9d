import type { Command } from 'commander';
import type { Config } from '../config.js';

/**
 * What every subcommand gets: the global options resolved lazily, so `slagate --help` and
 * `slagate classify` never open a database or read more than they need.
 */
export interface CliContext {
  config(): Config;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Standard input when a caller (a test) gives its own; commands fall back to process.stdin. */
  in?: NodeJS.ReadableStream;
  /** Set by a command to choose the process exit code (sysexits-style). */
  exitCode: number;
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** sysexits(3), which mail delivery agents understand: 75 means "try again later". */
export const EXIT = {
  OK: 0,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  SOFTWARE: 70,
  TEMPFAIL: 75,
  CONFIG: 78,
} as const;
