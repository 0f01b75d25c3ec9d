import type { CommandError } from './agent-commands.js';

/**
 * A command-block error in the agent's language. The parser's reason stays English (it is what
 * events and logs record); the confirmation mailed to a Turkish agent reads it here. A shape not
 * known here is shown as written, so a new parser error belongs in this table too.
 */
const TURKISH: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^unknown command (#\S+)$/, (m) => `bilinmeyen komut ${m[1]}`],
  [/^missing status \(.*\)$/, () => 'durum eksik (açık, beklemede, çözüldü veya kapalı)'],
  [/^unknown status (".*")$/s, (m) => `bilinmeyen durum ${m[1]}`],
  [/^missing priority$/, () => 'öncelik eksik'],
  [/^unknown priority (".*")$/s, (m) => `bilinmeyen öncelik ${m[1]}`],
  [/^missing type$/, () => 'tür eksik'],
  [/^unknown type (".*")$/s, (m) => `bilinmeyen tür ${m[1]}`],
  [/^missing agent \(an address or a name\)$/, () => 'temsilci eksik (bir adres veya bir ad)'],
  [/^expected one agent \(an address or a name\), got (".*")$/s, (m) => `tek bir temsilci (adres veya ad) bekleniyordu, yazılan: ${m[1]}`],
  [/^(#\S+) takes no argument, got (".*")$/s, (m) => `${m[1]} komutu değer almaz, yazılan: ${m[2]}`],
];

export function commandErrorText(e: CommandError, lang: 'tr' | 'en'): string {
  if (lang === 'en') return e.reason;
  for (const [pattern, say] of TURKISH) {
    const m = pattern.exec(e.reason);
    if (m) return say(m);
  }
  return e.reason;
}
