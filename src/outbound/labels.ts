import type { Priority } from '../policy/priorities.js';
import type { Language } from './outbound-mail.js';

/** Priority names as the agreement uses them in each language. */
export const PRIORITY_LABELS: Record<Language, Record<Priority, string>> = {
  tr: { critical: 'Kritik', high: 'Yüksek', medium: 'Orta', low: 'Düşük' },
  en: { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' },
};

/** The SLA clocks a reminder can be about. */
export const CLOCK_LABELS: Record<Language, Record<string, string>> = {
  tr: { 'first-response': 'ilk yanıt', qualification: 'ön değerlendirme', resolution: 'çözüm' },
  en: { 'first-response': 'first response', qualification: 'qualification', resolution: 'resolution' },
};

/** A list in running prose: "Kritik, Yüksek veya Orta" / "Critical, High or Medium". */
export function joinAlternatives(items: readonly string[], lang: Language): string {
  if (items.length <= 1) return items.join('');
  const or = lang === 'tr' ? 'veya' : 'or';
  return `${items.slice(0, -1).join(', ')} ${or} ${items[items.length - 1]}`;
}
