import { DateTime, Info } from 'luxon';
import { cachedZone } from '../sla/cached-zone.js';
import type { Language } from './outbound-mail.js';

/** Stand-alone day and month names, as luxon's `cccc` and `LLLL` spell them; Monday first. */
const NAMES = new Map<Language, { weekdays: string[]; months: string[] }>();

function namesOf(lang: Language): { weekdays: string[]; months: string[] } {
  let names = NAMES.get(lang);
  if (!names) {
    names = { weekdays: Info.weekdays('long', { locale: lang }), months: Info.months('long', { locale: lang }) };
    NAMES.set(lang, names);
  }
  return names;
}

/**
 * An instant as a person in `zone` reads it, in their language, with the offset spelled out so a
 * reader abroad is never misled: "Pazartesi 16 Mart 2026 12:30 (GMT+3)".
 *
 * The same text as luxon's `toFormat('cccc d LLLL yyyy HH:mm')`, from the zone's remembered offset
 * and the names read once per language: a DateTime and its formatting cost about 18 KB of garbage
 * per instant, and every acknowledgement formats its due date in both of its parts.
 */
export function formatInstant(instant: Date, zone: string, lang: Language): string {
  const tz = cachedZone(zone);
  const ms = instant.getTime();
  if (!tz.isValid || Number.isNaN(ms)) {
    const local = DateTime.fromJSDate(instant, { zone: tz }).setLocale(lang);
    return `${local.toFormat('cccc d LLLL yyyy HH:mm')} (${gmtOffset(local.offset)})`;
  }
  const offset = tz.offset(ms);
  const local = new Date(ms + offset * 60_000);
  const { weekdays, months } = namesOf(lang);
  const year = local.getUTCFullYear();
  return `${weekdays[(local.getUTCDay() + 6) % 7]} ${local.getUTCDate()} ${months[local.getUTCMonth()]} `
    + `${year < 0 ? `-${pad(-year, 6)}` : pad(year, 4)} ${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)} (${gmtOffset(offset)})`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function gmtOffset(minutes: number): string {
  if (minutes === 0) return 'GMT';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  const hours = Math.floor(abs / 60);
  const rest = abs % 60;
  return `GMT${sign}${hours}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
}
