import { DateTime } from 'luxon';
import { cachedZone } from '../sla/cached-zone.js';
import type { Language } from './outbound-mail.js';

/**
 * An instant as a person in `zone` reads it, in their language, with the offset spelled out so a
 * reader abroad is never misled: "Pazartesi 16 Mart 2026 12:30 (GMT+3)".
 */
export function formatInstant(instant: Date, zone: string, lang: Language): string {
  const local = DateTime.fromJSDate(instant, { zone: cachedZone(zone) }).setLocale(lang);
  return `${local.toFormat('cccc d LLLL yyyy HH:mm')} (${gmtOffset(local.offset)})`;
}

function gmtOffset(minutes: number): string {
  if (minutes === 0) return 'GMT';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  const hours = Math.floor(abs / 60);
  const rest = abs % 60;
  return `GMT${sign}${hours}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
}
