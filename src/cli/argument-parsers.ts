import { InvalidArgumentError } from 'commander';

/**
 * Argument checks done before any database is opened: a row id that is not a whole number was a
 * database error ("Failed query ... params: NaN", exit 70); it is a usage error (exit 64).
 */
export function rowId(text: string): number {
  const s = text.trim();
  // Row ids are bigserial; past 2^53 a JS number is no longer exact, and no table here gets there.
  if (!/^\d{1,15}$/.test(s) || Number(s) < 1) throw new InvalidArgumentError('expected a row id, a positive whole number (as `list` shows it).');
  return Number(s);
}

/** A ticket number (SR-1042, #SR-1042, 1042; any prefix) or a Message-ID (<id@host> or id@host). */
export function ticketRef(text: string): string {
  const s = text.trim();
  if (s.includes('@') || /^#?([A-Za-z][A-Za-z0-9]{0,9}-)?\d{1,15}$/.test(s)) return s;
  throw new InvalidArgumentError('expected a ticket number (SR-1042 or 1042) or a Message-ID (<id@host>).');
}
