import type { TicketTypeRule } from '../policy/default-policy.js';
import { typeNameIn } from '../policy/default-policy.js';
import { PRIORITIES, type Priority } from '../policy/priorities.js';
import { joinAlternatives, PRIORITY_LABELS } from './labels.js';
import type { Language } from './outbound-mail.js';

/**
 * The stored priority reason is one English sentence written where the priority was granted
 * (`grantPriority` in src/inbound/classify.ts, then prefixed by a correction or an agent's command).
 * It stays English in the database, the events and the logs; mail reads it here in the reader's
 * language, with the policy's names of types and priorities. A reason of a shape not known here is
 * shown as stored (free text cannot be translated), so new shapes belong in this parser.
 */
export function priorityReasonIn(reason: string, lang: Language, types: readonly Pick<TicketTypeRule, 'slug' | 'name' | 'nameTr'>[]): string {
  const prefixed = /^(client corrected|set by (\S+)|type set by (\S+)): (.*)$/s.exec(reason);
  if (prefixed) {
    const inner = priorityReasonIn(prefixed[4]!, lang, types);
    if (prefixed[1] === 'client corrected') return lang === 'tr' ? `müşteri düzeltmesi: ${inner}` : `corrected by the client: ${inner}`;
    if (prefixed[2]) return lang === 'tr' ? `${prefixed[2]} belirledi: ${inner}` : `set by ${prefixed[2]}: ${inner}`;
    return lang === 'tr' ? `${prefixed[3]} türü değiştirdi: ${inner}` : `type set by ${prefixed[3]}: ${inner}`;
  }
  const typeName = (slug: string) => {
    const rule = types.find((t) => t.slug === slug);
    return rule ? typeNameIn(rule, lang) : slug;
  };
  const priority = (p: string) => (isPriority(p) ? PRIORITY_LABELS[lang][p] : p);
  const byDefault = /^default for (\S+)$/.exec(reason);
  if (byDefault) {
    return lang === 'tr' ? `“${typeName(byDefault[1]!)}” türünün varsayılan önceliği` : `the default priority of “${typeName(byDefault[1]!)}”`;
  }
  const requested = /^requested (\w+)$/.exec(reason);
  if (requested) return lang === 'tr' ? `istenen öncelik: ${priority(requested[1]!)}` : `requested: ${priority(requested[1]!)}`;
  const clamped = /^requested (\w+); (\S+) allows ([\w, ]+): nearest is (\w+)$/.exec(reason);
  if (clamped) {
    const allowed = joinAlternatives(clamped[3]!.split(', ').map(priority), lang);
    return lang === 'tr'
      ? `istenen öncelik ${priority(clamped[1]!)}; “${typeName(clamped[2]!)}” türü yalnızca ${allowed} önceliğine izin veriyor, en yakını: ${priority(clamped[4]!)}`
      : `requested ${priority(clamped[1]!)}; “${typeName(clamped[2]!)}” allows ${allowed}: nearest is ${priority(clamped[4]!)}`;
  }
  return reason;
}

function isPriority(p: string): p is Priority {
  return (PRIORITIES as readonly string[]).includes(p);
}
