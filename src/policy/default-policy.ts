import type { Priority } from './priorities.js';

/**
 * The default policy, read from the agreement as `docs/SLA-POLICY.md` fixes it.
 * Operators override any part of it in the config file; `policy-schema.ts` validates the result.
 */
export interface TicketTypeRule {
  slug: string;
  name: string;
  /**
   * The name in Turkish mail. Optional in the config so an operator's own type still works; a
   * default type without one is named from the default policy (`typeNameIn`), never in English.
   */
  nameTr?: string;
  priorities: Priority[];
  defaultPriority: Priority;
  aliases: string[];
  /** Words in the subject or body that suggest this type when no tag names one. */
  keywords: string[];
  /** Always private (management only), whatever mailbox it arrived at. */
  private?: boolean;
}

export interface PriorityRule {
  priority: Priority;
  calendar: string;
  /** Minutes of the calendar's working time. */
  firstResponseMinutes: number;
  /** Minutes of working time after qualification; null = no resolution target. */
  resolutionMinutes: number | null;
  aliases: string[];
}

export interface HalfDay {
  date: string; // YYYY-MM-DD
  /** Working hours end at this local time on the half day. */
  until: string; // HH:mm
}

export interface CalendarRule {
  name: string;
  zone: string;
  /** `true` counts every wall-clock minute (the 24/7 calendar). */
  always: boolean;
  /** ISO weekday (1 = Monday) to [open, close) local times. */
  hours: Record<string, { open: string; close: string }>;
  /**
   * A country (ISO 3166-1 alpha-2, e.g. "TR") whose public holidays and half days count for every
   * year (src/policy/public-holidays.ts); `holidays` and `halfDays` add to them.
   */
  publicHolidays?: string;
  holidays: string[]; // YYYY-MM-DD full days off
  halfDays: HalfDay[];
}

export interface Policy {
  types: TicketTypeRule[];
  priorities: PriorityRule[];
  calendars: CalendarRule[];
  /** Subject tags that make a client reply climb the escalation ladder. */
  escalateAliases: string[];
  /** Reply and forward prefixes stripped before tags are read. */
  replyPrefixes: string[];
  /** Tickets one client may open on one local calendar day before they are flagged for review. */
  specialCircumstancesPerDay: number;
  /** Escalation thresholds as fractions of a target. */
  reminderAt: number; // 0.75
  breachAt: number; // 1.0
  managerAt: number; // 1.5
  /**
   * Mailing lists whose posts may become tickets (never acknowledged), by List-Id label
   * (`odoo-users.lists.example`) or list address; every other list or bulk mail is recorded, no ticket.
   */
  allowedLists: string[];
}

const WEEKDAYS_9_TO_18 = Object.fromEntries(
  ['1', '2', '3', '4', '5'].map((d) => [d, { open: '09:00', close: '18:00' }]),
);

export const DEFAULT_POLICY: Policy = {
  types: [
    { slug: 'problem', name: 'Report a Problem/Bug', nameTr: 'Sorun/hata bildirimi', priorities: ['critical', 'high', 'medium'], defaultPriority: 'medium',
      aliases: ['problem', 'bug', 'hata', 'sorun'],
      keywords: ['error', 'bug', 'broken', 'crash', 'not working', 'fails', 'failed', 'exception', 'traceback', 'hata', 'sorun', 'çalışmıyor', 'calismiyor', 'bozuk'] },
    { slug: 'main-code-problem', name: 'Report a Problem (Due to Changes in Main Code)', nameTr: 'Ana koddaki değişikliklerden kaynaklanan sorun', priorities: ['critical', 'high', 'medium'], defaultPriority: 'medium',
      aliases: ['main code', 'main-code', 'core', 'ana kod'],
      keywords: ['after upgrade', 'after update', 'odoo update', 'main code', 'güncelleme sonrası', 'guncelleme sonrasi'] },
    { slug: 'access', name: 'Cannot Access Website/Database', nameTr: 'Web sitesine/veritabanına erişilemiyor', priorities: ['critical', 'high', 'medium'], defaultPriority: 'medium',
      aliases: ['access', 'cannot access', 'login', 'erişim'],
      keywords: ['cannot access', "can't access", 'cannot log in', "can't log in", 'login', 'password', 'erişemiyorum', 'erisemiyorum', 'giriş yapamıyorum', 'giris yapamiyorum', 'şifre', 'sifre'] },
    { slug: 'email-deliverability', name: 'Emails Deliverability Issue', nameTr: 'E-posta teslim sorunu', priorities: ['critical', 'high', 'medium'], defaultPriority: 'medium',
      aliases: ['email', 'e-mail', 'deliverability', 'e-posta', 'eposta'],
      keywords: ['deliverability', 'emails not sent', 'email not received', 'spam folder', 'mail gitmiyor', 'e-posta gitmiyor', 'eposta gitmiyor', 'mail gelmiyor',
        // A person telling of mail that does not arrive, or forwarding the bounce they got.
        'bounce', 'bounced', 'bounces', 'returned mail', 'undelivered', 'undeliverable', 'delivery failed', 'mail delivery failed',
        'delivery status notification', 'not delivered', 'failure notice', 'could not be delivered', 'user unknown', 'mailbox full', 'permanent error', 'going to spam', 'lands in spam', 'ends up in spam', 'marked as spam', 'emails not delivered',
        'ulaşmıyor', 'ulasmiyor', 'müşterilere ulaşmıyor', 'e-postalar ulaşmıyor', 'teslim edilemedi', 'iletilemedi', 'geri dönüyor', 'geri donuyor',
        "spam'e düşüyor", "spama düşüyor", 'spam klasörüne', 'gereksiz klasörüne', 'mail gitmiyor', 'mailler gitmiyor', 'e-postalar gitmiyor'] },
    { slug: 'website', name: 'Website Issue', nameTr: 'Web sitesi sorunu', priorities: ['high', 'medium'], defaultPriority: 'medium',
      aliases: ['website', 'web', 'site', 'web sitesi'],
      keywords: ['website', 'web site', 'web sitesi', 'web sayfası', 'web sayfasi'] },
    { slug: 'automation', name: 'Automation Request', nameTr: 'Otomasyon talebi', priorities: ['medium'], defaultPriority: 'medium',
      aliases: ['automation', 'otomasyon'], keywords: ['automation', 'automate', 'otomasyon', 'otomatik'] },
    { slug: 'question', name: 'Question in Use or Configuration of Odoo', nameTr: 'Odoo kullanımı veya yapılandırması sorusu', priorities: ['medium'], defaultPriority: 'medium',
      aliases: ['question', 'soru', 'configuration', 'yapılandırma'],
      keywords: ['how do i', 'how to', 'how can i', 'question', 'configure', 'nasıl', 'nasil', 'soru', 'yapılandırma', 'yapilandirma'] },
    { slug: 'licenses', name: 'Request New Odoo Licenses', nameTr: 'Yeni Odoo lisansı talebi', priorities: ['medium'], defaultPriority: 'medium',
      aliases: ['license', 'licenses', 'lisans'], keywords: ['license', 'licence', 'lisans', 'new users', 'yeni kullanıcı'] },
    { slug: 'capacity', name: 'Increase Server Capacity (Storage - RAM - CPU)', nameTr: 'Sunucu kapasitesi artırımı (depolama, RAM, CPU)', priorities: ['medium'], defaultPriority: 'medium',
      aliases: ['capacity', 'server', 'kapasite', 'sunucu'],
      keywords: ['disk space', 'storage', 'ram', 'cpu', 'capacity', 'kapasite', 'depolama', 'disk alanı', 'disk alani'] },
    { slug: 'report', name: 'Request a Report (Website Status, Helpdesk Insights, Bandwidth, Storage)', nameTr: 'Rapor talebi (site durumu, destek analizi, bant genişliği, depolama)', priorities: ['medium'], defaultPriority: 'medium',
      aliases: ['report', 'rapor'], keywords: ['helpdesk insights', 'bandwidth report', 'status report', 'rapor'] },
    { slug: 'customization', name: 'Request for Customization/Modifications', nameTr: 'Özelleştirme/değişiklik talebi', priorities: ['low'], defaultPriority: 'low',
      aliases: ['customization', 'customisation', 'modification', 'özelleştirme'],
      keywords: ['customization', 'customisation', 'modification', 'new field', 'new report', 'özelleştirme', 'ozellestirme', 'değişiklik talebi', 'degisiklik talebi'] },
    { slug: 'other', name: 'Other', nameTr: 'Diğer', priorities: ['low'], defaultPriority: 'low', aliases: ['other', 'diğer'], keywords: [] },
    { slug: 'partner-role', name: '(Partners) Request Partner User/Role', nameTr: '(İş ortakları) İş ortağı kullanıcı/rol talebi', priorities: ['low'], defaultPriority: 'low',
      aliases: ['partner', 'partner role'], keywords: ['partner role', 'partner user', 'partner rolü', 'partner rolu'] },
    { slug: 'training-access', name: '(Partners/Trainees) Request 1 Month FREE Odoo Access for Training', nameTr: '(İş ortakları/Stajyerler) Eğitim için 1 ay ücretsiz Odoo erişimi', priorities: ['low'], defaultPriority: 'low',
      aliases: ['training', 'trainee', 'eğitim'], keywords: ['training access', 'free access', 'trainee', 'eğitim erişimi', 'egitim erisimi'] },
    { slug: 'complaint', name: 'Submit a Complaint Directly to Management (Not Seen by Team)', nameTr: 'Doğrudan yönetime şikayet (ekip görmez)', priorities: ['low'], defaultPriority: 'low',
      aliases: ['complaint', 'şikayet'], keywords: [], private: true },
  ],
  priorities: [
    { priority: 'critical', calendar: '24x7', firstResponseMinutes: 60, resolutionMinutes: 7 * 60,
      aliases: ['critical', 'kritik', 'p1', 'urgent', 'acil'] },
    { priority: 'high', calendar: 'business', firstResponseMinutes: 2 * 60, resolutionMinutes: 12 * 60,
      aliases: ['high', 'yüksek', 'p2'] },
    { priority: 'medium', calendar: 'business', firstResponseMinutes: 4 * 60, resolutionMinutes: 72 * 60,
      aliases: ['medium', 'orta', 'normal', 'p3'] },
    { priority: 'low', calendar: 'business', firstResponseMinutes: 8 * 60, resolutionMinutes: null,
      aliases: ['low', 'düşük', 'p4'] },
  ],
  calendars: [
    // Turkish official holidays of every year, eves and 28 October as half days (SLA-POLICY.md).
    { name: 'business', zone: 'Europe/Istanbul', always: false, hours: WEEKDAYS_9_TO_18,
      publicHolidays: 'TR', holidays: [], halfDays: [] },
    { name: '24x7', zone: 'Europe/Istanbul', always: true, hours: {}, holidays: [], halfDays: [] },
  ],
  escalateAliases: ['escalate', 'yükselt'],
  replyPrefixes: ['re', 'fwd', 'fw', 'ynt', 'ilt', 'aw', 'wg', 'sv', 'tr', 'vs', 'antw'],
  specialCircumstancesPerDay: 3,
  reminderAt: 0.75,
  breachAt: 1.0,
  managerAt: 1.5,
  allowedLists: [],
};

/**
 * A type's name in the reader's language. Turkish falls back to the default policy's Turkish name
 * for the same slug, then to the configured name: a Turkish mail never says "Report a Problem/Bug"
 * because an operator's config predates `nameTr`.
 */
export function typeNameIn(rule: Pick<TicketTypeRule, 'slug' | 'name' | 'nameTr'>, lang: 'tr' | 'en'): string {
  if (lang === 'en') return rule.name;
  return rule.nameTr ?? DEFAULT_POLICY.types.find((t) => t.slug === rule.slug)?.nameTr ?? rule.name;
}
