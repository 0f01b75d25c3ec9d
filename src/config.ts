import { readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { DEFAULT_POLICY } from './policy/default-policy.js';
import { MAILBOXES, PRIORITIES } from './policy/priorities.js';
import { validatePolicy } from './policy/validate-policy.js';
import { PUBLIC_MAIL_DOMAINS } from './tickets/client-of.js';
import { unknownKeys } from './config-unknown-keys.js';

/**
 * The only reader of process.env and of the config file. Everything is parsed and validated
 * once; every default sits beside its unit; a bad config names every bad key at once.
 */

const address = z.string().trim().toLowerCase().email();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm');
/**
 * An IANA time zone name. Checked here because a misspelt one is not an error anywhere later:
 * luxon turns every date in it into an Invalid DateTime, and ingest would fail on every mail.
 */
const timeZone = z.string().min(1).refine((name) => IANAZone.isValidZone(name), 'not a known IANA time zone (e.g. Europe/Istanbul)');

const imapSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(993),
  secure: z.boolean().default(true),
  user: z.string().min(1),
  password: z.string().default(''),
  folder: z.string().default('INBOX'),
  processedFolder: z.string().default('Processed'),
  /** A folder for mail that could not be ingested (kept on the server, also quarantined in the db). */
  quarantineFolder: z.string().default('Quarantine'),
  pollIntervalMs: z.number().int().min(1000).default(30_000), // 30 seconds: NOOP this often when the server has no IDLE
  // 0 = IDLE alone. Dovecot tells an IDLE client about new mail only 500 ms after it arrives
  // (NOTIFY_DELAY_MSECS); a NOOP is answered at once, so a short interval trades commands for speed.
  noopIntervalMs: z.number().int().min(0).default(0).refine((ms) => ms === 0 || ms >= 100, 'either 0 (IDLE alone) or at least 100 ms'),
  resyncIntervalMs: z.number().int().min(5000).default(180_000), // 3 minutes, full resync whatever IDLE says
  socketTimeoutMs: z.number().int().min(5000).default(90_000), // 90 seconds: half-open links noticed within 2 minutes
  maxIdleTimeMs: z.number().int().min(5000).default(60_000), // 1 minute: IDLE is restarted (with a NOOP) this often
  backoffInitialMs: z.number().int().min(10).default(1_000), // 1 second
  backoffMaxMs: z.number().int().min(100).default(300_000), // 5 minutes
  tlsRejectUnauthorized: z.boolean().default(true),
});

const mailboxSchema = z.object({
  address,
  name: z.string().default('Support'),
  imap: imapSchema.optional(),
});

const personSchema = z.object({
  address,
  name: z.string().min(1),
  role: z.enum(['agent', 'lead', 'manager']),
  language: z.enum(['tr', 'en']).default('tr'),
  zone: timeZone.default('Europe/Istanbul'),
  /** Bumping it derives a new reply-token key for this person: every token issued before dies. */
  tokenKeyVersion: z.number().int().min(1).default(1),
});

const smtpSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  maxConnections: z.number().int().min(1).default(4),
  connectionTimeoutMs: z.number().int().min(1000).default(30_000), // 30 seconds
  tlsRejectUnauthorized: z.boolean().default(true),
  /** DKIM-signs every outgoing mail when set (nodemailer's signer), so receivers can verify it is ours. */
  dkim: z.object({
    domainName: z.string().min(1),
    keySelector: z.string().min(1),
    /** PEM private key; prefer the environment or a secrets manager over the config file. */
    privateKey: z.string().min(1),
  }).strict().optional(),
});

const prioritySchema = z.enum(PRIORITIES);

const policySchema = z.object({
  types: z.array(z.object({
    slug: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    nameTr: z.string().min(1).optional(),
    priorities: z.array(prioritySchema).min(1),
    defaultPriority: prioritySchema,
    aliases: z.array(z.string().min(1)),
    keywords: z.array(z.string().min(1)).default([]),
    private: z.boolean().optional(),
  })).min(1).default(() => structuredClone(DEFAULT_POLICY.types)),
  priorities: z.array(z.object({
    priority: prioritySchema,
    calendar: z.string().min(1),
    firstResponseMinutes: z.number().int().positive(),
    resolutionMinutes: z.number().int().positive().nullable(),
    aliases: z.array(z.string().min(1)),
  })).length(PRIORITIES.length).default(() => structuredClone(DEFAULT_POLICY.priorities)),
  calendars: z.array(z.object({
    name: z.string().min(1),
    zone: timeZone,
    always: z.boolean().default(false),
    hours: z.partialRecord(z.enum(['1', '2', '3', '4', '5', '6', '7']), z.object({ open: hhmm, close: hhmm })).default({}),
    publicHolidays: z.string().regex(/^[A-Z]{2}$/).optional(), // country code, e.g. TR
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
    halfDays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), until: hhmm })).default([]),
  })).min(1).default(() => structuredClone(DEFAULT_POLICY.calendars)),
  escalateAliases: z.array(z.string().min(1)).min(1).default(() => [...DEFAULT_POLICY.escalateAliases]),
  replyPrefixes: z.array(z.string().min(1)).default(() => [...DEFAULT_POLICY.replyPrefixes]),
  specialCircumstancesPerDay: z.number().int().min(1).default(DEFAULT_POLICY.specialCircumstancesPerDay), // tickets per client per day
  reminderAt: z.number().gt(0).lt(1).default(DEFAULT_POLICY.reminderAt), // fraction of a target
  breachAt: z.number().positive().default(DEFAULT_POLICY.breachAt), // fraction of a target
  managerAt: z.number().positive().default(DEFAULT_POLICY.managerAt), // fraction of a target
  allowedLists: z.array(z.string().min(1)).default(() => [...DEFAULT_POLICY.allowedLists]), // List-Id labels or list addresses
});

export const configSchema = z.object({
  /** Names this process in leases and logs; defaults to host:pid. */
  instanceName: z.string().optional(),
  /** Domain of the Message-IDs we generate; must be ours so loops can be recognised. */
  messageIdDomain: z.string().min(1).default('slagate.invalid'),
  ticketPrefix: z.string().regex(/^[A-Z][A-Z0-9]{0,9}$/).default('SR'),
  /** Private (management) tickets are numbered apart, so team numbers show no gaps where complaints are. */
  privateTicketPrefix: z.string().regex(/^[A-Z][A-Z0-9]{0,9}$/).default('YN'),
  defaultLanguage: z.enum(['tr', 'en']).default('tr'),
  zone: timeZone.default('Europe/Istanbul'),
  database: z.object({
    /** postgres:// URL; unset means the embedded PostgreSQL that slagate runs itself in `dataDir`. */
    url: z.string().optional(),
    dataDir: z.string().default('./data/postgres'),
    poolMax: z.number().int().min(1).max(100).default(10), // connections
    statementTimeoutMs: z.number().int().min(100).default(30_000), // 30 seconds
    lockTimeoutMs: z.number().int().min(100).default(5_000), // 5 seconds
    idleInTransactionTimeoutMs: z.number().int().min(100).default(60_000), // 1 minute
  }).default({
    dataDir: './data/postgres', poolMax: 10, statementTimeoutMs: 30_000, lockTimeoutMs: 5_000, idleInTransactionTimeoutMs: 60_000,
  }),
  mailboxes: z.object({
    support: mailboxSchema,
    management: mailboxSchema,
  }),
  people: z.array(personSchema).default([]),
  smtp: smtpSchema.optional(),
  localMail: z.object({
    /** Loopback SMTP listener used when no IMAP is configured. */
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(2525),
    /** Outgoing mail is written here as .eml files when no SMTP server is configured. */
    outDir: z.string().default('./data/outgoing'),
  }).default({ host: '127.0.0.1', port: 2525, outDir: './data/outgoing' }),
  lmtp: z.object({
    /** Loopback unless the MTA runs on another host; only with `port`. */
    host: z.string().default('127.0.0.1'),
    /** TCP port of the LMTP listener for the local MTA; unset: no TCP listener. */
    port: z.number().int().min(0).max(65535).optional(),
    /** Unix socket path of the LMTP listener for the local MTA; unset: none. */
    socket: z.string().min(1).optional(),
  }).default({ host: '127.0.0.1' }),
  http: z.object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8025),
  }).default({ host: '127.0.0.1', port: 8025 }),
  limits: z.object({
    maxMessageBytes: z.number().int().min(1024).default(26_214_400), // 25 MiB
    maxTextChars: z.number().int().min(1000).default(1_000_000), // characters of text/html kept per message
    reopenWindowDays: z.number().int().min(0).default(14), // days after closing a reply still reopens
    ackPerSenderCap: z.number().int().min(1).default(10), // acknowledgements per sender per window
    ackPerSenderWindowMinutes: z.number().int().min(1).default(180), // 3 hours
    // Issue 21: forged senders spread over one domain, or over many, still get bounded backscatter.
    ackPerDomainCap: z.number().int().min(1).default(30), // acknowledgements per domain per ackPerSenderWindowMinutes
    // A configured client's domain is a known organisation, not a forger's pick: many of its
    // people may write in one morning. Its own clients[].ackPerDomainCap wins over this.
    ackPerClientDomainCap: z.number().int().min(1).default(150), // acknowledgements per configured client's domain per ackPerSenderWindowMinutes
    ackGlobalPerHour: z.number().int().min(1).default(300), // acknowledgements to anyone per hour
    bounceSuppressionDays: z.number().int().min(0).default(7), // days a hard-bounced address gets no mail
    // Total of the files a forward carries (client's files to staff, agent's to the client);
    // larger ones are listed by name and size, and `slagate attachment get` gives them.
    forwardAttachmentsMaxBytes: z.number().int().min(0).default(10_485_760), // 10 MiB
    staffRefusalNoticeMinutes: z.number().int().min(1).default(60), // at most one refused-mail notice per staff member per window
    // Issue 21: a flood of new tickets (forged or real) must not become a flood of team mail. Past
    // the threshold, the team gets one mail per window listing the tickets instead of one each.
    teamFloodThreshold: z.number().int().min(1).default(20), // new team tickets in teamFloodWindowMinutes before notifications collapse
    teamFloodWindowMinutes: z.number().int().min(1).default(10), // 10 minutes
  }).default({
    maxMessageBytes: 26_214_400, maxTextChars: 1_000_000, reopenWindowDays: 14,
    ackPerSenderCap: 10, ackPerSenderWindowMinutes: 180, ackPerDomainCap: 30, ackPerClientDomainCap: 150, ackGlobalPerHour: 300, bounceSuppressionDays: 7, forwardAttachmentsMaxBytes: 10_485_760, staffRefusalNoticeMinutes: 60,
    teamFloodThreshold: 20, teamFloodWindowMinutes: 10,
  }),
  outbox: z.object({
    maxAttempts: z.number().int().min(1).default(12),
    backoffInitialMs: z.number().int().min(10).default(30_000), // 30 seconds
    backoffMaxMs: z.number().int().min(100).default(3_600_000), // 1 hour
    leaseMs: z.number().int().min(1000).default(120_000), // 2 minutes a claim is held
    batchSize: z.number().int().min(1).default(20), // rows per claim
    pollIntervalMs: z.number().int().min(10).default(1_000), // 1 second
    breakerThreshold: z.number().int().min(1).default(3), // consecutive connection failures that open the breaker
    breakerCooldownMs: z.number().int().min(10).default(30_000), // 30 seconds before the first probe
    breakerMaxCooldownMs: z.number().int().min(10).default(1_800_000), // 30 minutes between probes at most
  }).default({
    maxAttempts: 12, backoffInitialMs: 30_000, backoffMaxMs: 3_600_000, leaseMs: 120_000, batchSize: 20, pollIntervalMs: 1_000,
    breakerThreshold: 3, breakerCooldownMs: 30_000, breakerMaxCooldownMs: 1_800_000,
  }),
  sla: z.object({
    sweepIntervalMs: z.number().int().min(100).default(30_000), // 30 seconds
    digestTime: hhmm.default('09:00'), // local time of the managers' digest on business days
  }).default({ sweepIntervalMs: 30_000, digestTime: '09:00' }),
  reports: z.object({
    monthlyMailTime: hhmm.default('09:00'), // local time (config.zone) on the month's first business day
    /** Each client's own monthly report (never private tickets) for the feedback meeting. */
    clientReports: z.array(z.object({
      /** A requester address, or a domain for every address of it; ASCII-lowercased like all addresses. */
      client: z.string().trim().transform((s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()))
        .refine((s) => /^([^@\s]+@)?[^@\s]+\.[^@\s]+$/.test(s), 'expected an address or a domain'),
      to: z.array(address).min(1),
      language: z.enum(['tr', 'en']).default('tr'),
    })).default([]),
  }).default({ monthlyMailTime: '09:00', clientReports: [] }),
  /**
   * Clients as organisations: the special-circumstances rule, the reports and their mailing count
   * per client. Unknown senders are grouped by domain, public mail providers by address.
   */
  clients: z.array(z.strictObject({
    name: z.string().trim().min(1),
    /** Every address at these domains is this client. */
    domains: z.array(z.string().trim().transform((s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()))
      .refine((s) => /^[^@\s]+\.[^@\s]+$/.test(s), 'expected a domain such as acme.com.tr')).default([]),
    /** Single addresses (e.g. at a public mail provider) that are this client. */
    addresses: z.array(address).default([]),
    language: z.enum(['tr', 'en']).default('tr'),
    /** Who gets the client's monthly report; none: no report is mailed. */
    reportRecipients: z.array(address).default([]),
    /** A policy calendar whose zone is the client's day for "the same day"; default: config.zone. */
    calendar: z.string().min(1).optional(),
    /** Acknowledgements per window to each of its domains; default: limits.ackPerClientDomainCap. */
    ackPerDomainCap: z.number().int().min(1).optional(),
  })).default([]),
  /** Secret for signed reply tokens; per-agent keys are derived from it and the agent's keyVersion. */
  tokenSecret: z.string().min(16).optional(),
  replyTokenTtlDays: z.number().int().min(1).default(30), // days a signed reply address stays valid
  /**
   * The authserv-id our own mail server writes in Authentication-Results. When set, agent mail
   * must carry that server's DMARC or aligned DKIM pass before it is relayed or runs commands.
   */
  trustedAuthservId: z.string().min(1).optional(),
  /**
   * How inbound mail's origin is judged (README, "Security model"). `trusted-authserv`: by the
   * topmost Authentication-Results of `trustedAuthservId`; `verify`: by slagate itself, with
   * mailauth (DKIM, DMARC, ARC, and SPF when `spfFromReceived`) over DNS; `off`: not at all.
   * Unset: `trusted-authserv` when `trustedAuthservId` is set, else `off`.
   */
  authentication: z.strictObject({
    mode: z.enum(['off', 'trusted-authserv', 'verify']).optional(),
    /**
     * Verify mode: SPF is checked with the client IP and HELO of the topmost Received header and
     * the envelope sender of Return-Path. Only right when your MX's Received is the topmost one
     * the gateway reads (no delivery agent adds its own on top); off, DMARC rests on DKIM alone.
     */
    spfFromReceived: z.boolean().default(false),
    /** Verify mode: the authserv-id slagate names in what it records; default: messageIdDomain. */
    authservId: z.string().min(1).optional(),
    dnsTimeoutMs: z.number().int().min(100).default(10_000), // 10 seconds for all of one mail's lookups
  }).default({ spfFromReceived: false, dnsTimeoutMs: 10_000 }),
  policy: policySchema.default(() => policySchema.parse({})),
  /** Test-only hooks; `crashAt` (from SLAGATE_CRASH_AT) names a crash point that SIGKILLs the process. */
  testing: z.object({ crashAt: z.string().optional() }).default({}),
});

export type Config = z.infer<typeof configSchema>;
export type ImapSettings = z.infer<typeof imapSchema>;
export type SmtpSettings = z.infer<typeof smtpSchema>;
export type Person = z.infer<typeof personSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[], options?: { cause?: unknown }) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'ConfigError';
  }
}

/** The config used when none is given: the embedded database and local mail mode. */
export const DEFAULT_CONFIG_INPUT = {
  mailboxes: {
    support: { address: 'support@sanarise.example', name: 'Sanarise Destek' },
    management: { address: 'management@sanarise.example', name: 'Sanarise Yönetim' },
  },
  people: [
    { address: 'ayse@sanarise.example', name: 'Ayşe Yılmaz', role: 'agent', language: 'tr' },
    { address: 'mert@sanarise.example', name: 'Mert Demir', role: 'agent', language: 'en' },
    { address: 'lead@sanarise.example', name: 'Zeynep Kaya', role: 'lead', language: 'tr' },
    { address: 'manager@sanarise.example', name: 'Can Öztürk', role: 'manager', language: 'tr' },
  ],
  messageIdDomain: 'slagate.sanarise.example',
} as const;

export interface LoadConfigOptions {
  /** A path to a JSON config file; falls back to SLAGATE_CONFIG, then to the built-in default. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const path = options.path ?? env.SLAGATE_CONFIG;
  let input: unknown = DEFAULT_CONFIG_INPUT;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError([`config file ${path}: ${(err as Error).message}`], { cause: err });
    }
    try {
      input = JSON.parse(text);
    } catch (err) {
      throw new ConfigError([`config file ${path}: not valid JSON: ${(err as Error).message}`], { cause: err });
    }
  }
  return parseConfig(applyEnv(structuredClone(input), env));
}

/** Secrets come from the environment so that config files can be committed. */
function applyEnv(input: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const cfg = input as Section;
  if (env.DATABASE_URL) cfg.database = { ...section(cfg, 'database'), url: env.DATABASE_URL };
  for (const mb of MAILBOXES) {
    const pw = env[`SLAGATE_IMAP_${mb.toUpperCase()}_PASSWORD`];
    const imap = section(section(section(cfg, 'mailboxes'), mb), 'imap');
    if (pw !== undefined && imap) imap.password = pw;
  }
  const smtp = section(cfg, 'smtp');
  if (env.SLAGATE_SMTP_PASSWORD !== undefined && smtp) smtp.password = env.SLAGATE_SMTP_PASSWORD;
  if (env.SLAGATE_TOKEN_SECRET) cfg.tokenSecret = env.SLAGATE_TOKEN_SECRET;
  if (env.SLAGATE_CRASH_AT) cfg.testing = { ...section(cfg, 'testing'), crashAt: env.SLAGATE_CRASH_AT };
  return cfg;
}

type Section = Record<string, unknown>;

/** `parent[key]` when it is an object (a section of the raw config file), else undefined. */
function section(parent: Section | undefined, key: string): Section | undefined {
  const value = parent?.[key];
  return typeof value === 'object' && value !== null ? value as Section : undefined;
}

export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  // Unknown keys are errors too (a misspelt key would otherwise leave its default in force silently).
  const unknown = unknownKeys(configSchema, input);
  if (!result.success || unknown.length > 0) {
    throw new ConfigError([...unknown, ...(result.error?.issues ?? []).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)]);
  }
  const cfg = result.data;
  const problems = [...validatePolicy(cfg.policy), ...crossCheck(cfg)];
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(cfg);
}

function crossCheck(cfg: Config): string[] {
  const problems: string[] = [];
  if (cfg.mailboxes.support.address === cfg.mailboxes.management.address) {
    problems.push('mailboxes.management.address: must differ from mailboxes.support.address');
  }
  if (cfg.privateTicketPrefix === cfg.ticketPrefix) {
    problems.push('privateTicketPrefix: must differ from ticketPrefix (private and team tickets are numbered apart)');
  }
  const seen = new Set<string>();
  cfg.people.forEach((p, i) => {
    if (seen.has(p.address)) problems.push(`people.${i}.address: ${p.address} is listed twice`);
    seen.add(p.address);
  });
  problems.push(...checkClients(cfg));
  const mode = cfg.authentication.mode;
  if (mode === 'trusted-authserv' && !cfg.trustedAuthservId) {
    problems.push('authentication.mode: "trusted-authserv" needs trustedAuthservId (the authserv-id your own mail server writes)');
  }
  if (mode !== undefined && mode !== 'trusted-authserv' && cfg.trustedAuthservId) {
    problems.push(`trustedAuthservId: read only in authentication.mode "trusted-authserv", not "${mode}": remove one of them`);
  }
  return problems;
}

/** How inbound mail is authenticated: the configured mode, else the one trustedAuthservId implies. */
export function authenticationMode(cfg: Pick<Config, 'authentication' | 'trustedAuthservId'>): 'off' | 'trusted-authserv' | 'verify' {
  return cfg.authentication.mode ?? (cfg.trustedAuthservId ? 'trusted-authserv' : 'off');
}

/** Each domain and address belongs to one client; a public mail provider is nobody's domain. */
function checkClients(cfg: Config): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  const names = new Set<string>();
  const calendars = new Set(cfg.policy.calendars.map((c) => c.name));
  cfg.clients.forEach((c, i) => {
    if (names.has(c.name)) problems.push(`clients.${i}.name: "${c.name}" is listed twice`);
    names.add(c.name);
    if (c.domains.length === 0 && c.addresses.length === 0) problems.push(`clients.${i}: give the client's domains or addresses`);
    c.domains.forEach((d, j) => {
      if (PUBLIC_MAIL_DOMAINS.has(d)) {
        problems.push(`clients.${i}.domains.${j}: ${d} is a public mail provider; list the client's addresses there under clients.${i}.addresses`);
      }
      if (owner.has(`d:${d}`)) problems.push(`clients.${i}.domains.${j}: ${d} already belongs to client "${owner.get(`d:${d}`)}"`);
      owner.set(`d:${d}`, c.name);
    });
    c.addresses.forEach((a, j) => {
      if (owner.has(`a:${a}`)) problems.push(`clients.${i}.addresses.${j}: ${a} already belongs to client "${owner.get(`a:${a}`)}"`);
      owner.set(`a:${a}`, c.name);
    });
    if (c.calendar !== undefined && !calendars.has(c.calendar)) {
      problems.push(`clients.${i}.calendar: no calendar named "${c.calendar}" in policy.calendars`);
    }
  });
  return problems;
}
