/**
 * Text that reaches PostgreSQL and templates: no NUL (Postgres rejects it, 22021), no other C0
 * controls except tab and newline, and a bound on length. Pure, so it is shared by the parser and
 * anything else that copies mail text around.
 */
// eslint-disable-next-line no-control-regex -- controls are what this removes from mail text
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function cleanText(value: string, maxChars: number, warnings?: string[], label = 'text'): string {
  let out = value.replace(/\r\n?/g, '\n');
  if (out.includes('\u0000')) warnings?.push(`NUL bytes removed from ${label}`);
  out = out.replace(CONTROLS, '');
  if (out.length > maxChars) {
    warnings?.push(`${label} truncated to ${maxChars} characters`);
    out = out.slice(0, maxChars);
  }
  return out;
}

/** A single header-like line: CR, LF and every control removed (no header injection downstream). */
export function cleanLine(value: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex -- controls, CR and LF included, are what this removes
  return value.replace(/[\u0000-\u001F\u007F]+/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, maxChars);
}
