import { DateTime } from 'luxon';
import type { Priority } from '../policy/priorities.js';
import { cachedZone } from '../sla/cached-zone.js';

/** The languages a report is written in (the reader's: a client's configured one, a person's own). */
export type ReportLanguage = 'tr' | 'en';

/**
 * Who reads the report. Only staff audiences see remarks about what was left out; a client's
 * report says nothing of private tickets, not even that there are none.
 */
export type ReportAudience = 'management' | 'team' | 'client';

export interface RenderOptions {
  lang: ReportLanguage;
  audience: ReportAudience;
}

const PRIORITY_NAMES: Record<ReportLanguage, Record<Priority, string>> = {
  en: { critical: 'critical', high: 'high', medium: 'medium', low: 'low' },
  tr: { critical: 'kritik', high: 'yüksek', medium: 'orta', low: 'düşük' },
};

const TEXT = {
  en: {
    monthlyTitle: 'Monthly SLA report', quarterlyTitle: 'Quarterly SLA review',
    receivedIn: (period: string, zone: string) => `Tickets received in ${period} (times in ${zone}).`,
    management: 'Management report: includes private tickets.', team: 'Team report: private tickets excluded.',
    generated: (at: string) => `Prepared ${at}.`,
    summary: 'Summary', tickets: 'tickets', resolved: 'resolved', unresolved: 'unresolved', flagged: 'flagged for SLA review',
    byType: 'Tickets by type and priority', type: 'type', total: 'total', priority: 'priority', all: 'all',
    times: 'Response and resolution times', timesNote: 'Working time of each priority\'s calendar; resolution excludes time waiting on the client.',
    frN: 'first response: n', median: 'median', p90: 'p90 (9 in 10 within)', resN: 'resolution: n',
    attPriority: 'SLA attainment per priority', attNote: 'Met targets over tickets that had one; targets still running are not counted.',
    firstResponse: 'first response', resolution: 'resolution', attType: 'SLA attainment per type',
    breaches: 'Breaches and escalations', breachedTickets: 'breached tickets', breachAlerts: 'breach alerts', escalatedTickets: 'escalated tickets',
    reachedLead: 'reached team lead', reachedManager: 'reached manager', managerAlerts: 'manager alerts',
    clientEscalations: 'client escalations', staffEscalations: 'staff escalations',
    slaAdjustments: 'SLA adjustments', slaAdjustmentsNote: 'Clocks paused and targets extended by the team lead or a manager, each with a recorded reason.',
    slaPauses: 'pauses', slaExtensions: 'target extensions', slaExtendedHours: 'working hours added',
    specialDays: 'Special-circumstance days', specialNote: 'A client with more tickets on one local day than the agreement allows (more than three).',
    day: 'day', client: 'client', satisfaction: 'Satisfaction', responses: 'responses', average: 'average',
    perClientDomain: 'Per client', perClientAddress: 'Per client (address)',
    frMedian: 'first response median', frMet: 'first response met', resMet: 'resolution met', breached: 'breached', escalated: 'escalated',
    specialDaysShort: 'special days', none: 'None.', months: 'Month by month', month: 'month',
    dailyVolume: 'Daily ticket volume', distribution: 'First-response time distribution', trend: 'SLA attainment month by month',
    target: 'target', ticketsWord: (n: number) => `${n} ticket${n === 1 ? '' : 's'}`,
    missed: 'Where targets were missed most',
    missedNote: 'Client, type and priority together, by targets missed (first response and resolution); the first few only.',
    missedTargets: 'missed targets',
    monthsByPriority: 'Month by month, per priority', monthsByClient: 'Month by month, per client',
    busiestClients: (shown: number, all: number) => `The ${shown} clients with the most tickets, of ${all}; every client is in the per-client table.`,
  },
  tr: {
    monthlyTitle: 'Aylık SLA raporu', quarterlyTitle: 'Üç aylık SLA değerlendirmesi',
    receivedIn: (period: string, zone: string) => `${period} döneminde alınan talepler (saatler ${zone} saatiyle).`,
    management: 'Yönetim raporu: gizli talepler dahildir.', team: 'Ekip raporu: gizli talepler hariçtir.',
    generated: (at: string) => `Hazırlanma: ${at}.`,
    summary: 'Özet', tickets: 'talep', resolved: 'çözüldü', unresolved: 'çözülmedi', flagged: 'SLA incelemesine alınan',
    byType: 'Türe ve önceliğe göre talepler', type: 'tür', total: 'toplam', priority: 'öncelik', all: 'tümü',
    times: 'Yanıt ve çözüm süreleri', timesNote: 'Her önceliğin takvimine göre çalışma süresi; çözüm süresine müşteriden yanıt beklenen süre dahil değildir.',
    frN: 'ilk yanıt: adet', median: 'ortanca', p90: 'p90 (10 talepten 9\'u bu sürede)', resN: 'çözüm: adet',
    attPriority: 'Önceliğe göre SLA’ya uyum', attNote: 'Hedefi olan talepler içinde hedefe ulaşanlar; süresi dolmamış hedefler sayılmaz.',
    firstResponse: 'ilk yanıt', resolution: 'çözüm', attType: 'Türe göre SLA’ya uyum',
    breaches: 'İhlaller ve yükseltmeler', breachedTickets: 'ihlal olan talep', breachAlerts: 'ihlal uyarısı', escalatedTickets: 'yükseltilen talep',
    reachedLead: 'ekip liderine ulaşan', reachedManager: 'yöneticiye ulaşan', managerAlerts: 'yönetici uyarısı',
    clientEscalations: 'müşteri yükseltmesi', staffEscalations: 'ekip yükseltmesi',
    slaAdjustments: 'SLA düzeltmeleri', slaAdjustmentsNote: 'Ekip lideri veya bir yönetici tarafından, gerekçesi kaydedilerek durdurulan süreler ve uzatılan hedefler.',
    slaPauses: 'durdurma', slaExtensions: 'hedef uzatma', slaExtendedHours: 'eklenen çalışma saati',
    specialDays: 'Özel durum günleri', specialNote: 'Bir müşterinin bir günde sözleşmenin izin verdiğinden (üçten) fazla talep açtığı günler.',
    day: 'gün', client: 'müşteri', satisfaction: 'Memnuniyet', responses: 'yanıt', average: 'ortalama',
    perClientDomain: 'Müşteriye göre', perClientAddress: 'Müşteriye göre (adres)',
    frMedian: 'ilk yanıt ortancası', frMet: 'ilk yanıt hedefi', resMet: 'çözüm hedefi', breached: 'ihlal', escalated: 'yükseltilen',
    specialDaysShort: 'özel gün', none: 'Yok.', months: 'Aylara göre', month: 'ay',
    dailyVolume: 'Günlük talep sayısı', distribution: 'İlk yanıt süresi dağılımı', trend: 'Aylara göre SLA’ya uyum',
    target: 'hedef', ticketsWord: (n: number) => `${n} talep`,
    missed: 'Hedeflerin en çok kaçırıldığı yerler',
    missedNote: 'Müşteri, tür ve öncelik birlikte, kaçırılan hedef sayısına göre (ilk yanıt ve çözüm); yalnızca ilk birkaçı.',
    missedTargets: 'kaçırılan hedef',
    monthsByPriority: 'Aylara göre, önceliğe göre', monthsByClient: 'Aylara göre, müşteriye göre',
    busiestClients: (shown: number, all: number) => `${all} müşteri içinde en çok talep açan ${shown} müşteri; tüm müşteriler müşteriye göre tablosundadır.`,
  },
} as const;

export type ReportText = (typeof TEXT)[ReportLanguage];

export function reportText(lang: ReportLanguage): ReportText {
  return TEXT[lang];
}

export function priorityName(p: string, lang: ReportLanguage): string {
  return PRIORITY_NAMES[lang][p as Priority] ?? p;
}

const LOCALE: Record<ReportLanguage, string> = { tr: 'tr-TR', en: 'en-GB' };

/** "Mart 2026" / "March 2026", "2026 1. çeyrek" / "Q1 2026", from a period label. */
export function periodName(label: string, lang: ReportLanguage): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(label);
  if (q) return lang === 'tr' ? `${q[1]} ${q[2]}. çeyrek` : `Q${q[2]} ${q[1]}`;
  const month = DateTime.fromISO(`${label}-01`, { zone: 'UTC' });
  return month.isValid ? month.setLocale(LOCALE[lang]).toFormat('LLLL yyyy') : label;
}

/** An instant as the reader reads it: "7 Aralık 2026 19:22" in the report's zone, never a raw UTC stamp. */
export function readableInstant(iso: string, zone: string, lang: ReportLanguage): string {
  return DateTime.fromISO(iso, { zone: cachedZone(zone) }).setLocale(LOCALE[lang]).toFormat('d LLLL yyyy HH:mm');
}

const dayNames = new Map<string, string>();

/**
 * A local day (YYYY-MM-DD) as "11 Mar" / "11 Mar" in the reader's language, with the weekday.
 * Each day's name is made once per language: a quarter lists thousands of special-circumstance
 * days on a few dozen dates, and a luxon DateTime each cost 60 ms (bench/reports-at-scale).
 */
export function readableDay(day: string, lang: ReportLanguage): string {
  const key = `${lang}:${day}`;
  let name = dayNames.get(key);
  if (name === undefined) {
    name = DateTime.fromISO(day, { zone: 'UTC' }).setLocale(LOCALE[lang]).toFormat('ccc d LLL yyyy');
    dayNames.set(key, name);
  }
  return name;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * A number with the reader's decimal separator (2,63 in Turkish). One formatter per language and
 * precision: `toLocaleString` builds a new one each call, three seconds of a quarter's report.
 */
export function decimal(value: number, digits: number, lang: ReportLanguage): string {
  const key = `${lang}:${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE[lang], { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/** "95,0%" in English style, "%95,0" in Turkish. */
export function percentText(rate: number, digits: number, lang: ReportLanguage): string {
  const n = decimal(rate * 100, digits, lang);
  return lang === 'tr' ? `%${n}` : `${n}%`;
}
