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
  [/^expected (#\S+) add ADDRESS or #\S+ remove ADDRESS \(ekle \/ çıkar\), got (".*")$/s,
    (m) => `${m[1]} ekle ADRES veya ${m[1]} çıkar ADRES bekleniyordu, yazılan: ${m[2]}`],
  [/^expected one mail address after (".*"), got (".*")$/s, (m) => `${m[1]} sonrasında tek bir e-posta adresi bekleniyordu, yazılan: ${m[2]}`],
  [/^expected (#\S+) pause REASON, .*, got (".*")$/s,
    (m) => `${m[1]} duraklat GEREKÇE, ${m[1]} devam veya ${m[1]} uzat ilk-yanıt|çözüm SÜRE GEREKÇE bekleniyordu, yazılan: ${m[2]}`],
  [/^(#\S+ \S+) takes no argument$/, (m) => `${m[1]} değer almaz`],
  [/^(#\S+ \S+) needs a reason$/, (m) => `${m[1]} bir gerekçe ister`],
  [/^(#\S+ \S+) needs a reason after the duration$/, (m) => `${m[1]} süreden sonra bir gerekçe ister`],
  [/^expected first-response or resolution \(ilk-yanıt \/ çözüm\) after (".*"), got (".*")$/s,
    (m) => `${m[1]} sonrasında ilk-yanıt veya çözüm bekleniyordu, yazılan: ${m[2]}`],
  [/^expected a duration like 90m, 4h or 2d \(dk, sa, g\) after (".*"), got (".*")$/s,
    (m) => `${m[1]} sonrasında 90dk, 4sa veya 2g gibi bir süre bekleniyordu, yazılan: ${m[2]}`],
  [/^missing language \((#\S+) tr or #\S+ en\)$/, (m) => `dil eksik (${m[1]} tr veya ${m[1]} en)`],
  [/^unknown language (".*") \(tr or en\)$/s, (m) => `bilinmeyen dil ${m[1]} (tr veya en)`],
];

export function commandErrorText(e: CommandError, lang: 'tr' | 'en'): string {
  if (lang === 'en') return e.reason;
  for (const [pattern, say] of TURKISH) {
    const m = pattern.exec(e.reason);
    if (m) return say(m);
  }
  return e.reason;
}
