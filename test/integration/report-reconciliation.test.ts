import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { recordingNotify, sweepSla } from '../../src/app/jobs/sweep-sla.js';
import { main } from '../../src/cli.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import type { Report } from '../../src/reports/report-model.js';
import { monthPeriod } from '../../src/reports/report-period.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Issue 24: every figure of the monthly report agrees with a count made independently, in SQL, on
 * the event table, for a month of tickets made through the real ingest: client and staff
 * escalations, SLA breaches and manager alerts fired by the sweep, waiting pauses, surveys, a
 * special-circumstance day, private complaints, and `#sla` pauses and extensions by the lead and a
 * manager (signed replies to the escalation mails they got).
 */
const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);
const AGENT = 'Ayşe Yılmaz <ayse@sanarise.example>';
const CLIENTS = ['Deniz Aksoy <deniz@acme.example>', 'Ali Demir <ali@acme.example>', 'Selin Kara <selin@beta.example>',
  'Can Er <can@gamma.example>', 'Ece Tan <ece@gamma.example>'];
const SUBJECTS = ['[Hata] [Yüksek] Fatura ekranı açılmıyor', '[Soru] Rapor nasıl alınır?', '[Kritik] [Hata] Site çöktü',
  '[Özelleştirme] Yeni alan', '[Website] Sayfa yavaş', '[Hata] Stok hareketi yanlış'];
const BUSINESS_DAYS = ['02', '03', '04', '05', '06', '09', '10', '11', '12', '13', '16', '17', '18', '23', '24', '25', '26', '27', '30', '31']
  .map((d) => `2026-03-${d}`);

let database: TestDatabase;
let dir: string;
let configPath: string;
let deps: IngestDeps;
let now = ist('2026-03-01 00:00');

interface Opened { id: number; messageId: string; subject: string; from: string }
type Action = { at: Date; run: () => Promise<void> };

const ingest = (raw: Buffer, mailbox: 'support' | 'management' = 'support') =>
  ingestMessage(deps, { raw, mailbox, receivedAt: now, source: 'cli' });
const outboxOf = (ticketId: number) => database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));

async function sweepAll(): Promise<void> {
  const s = { db: database.db, policy: deps.config.policy, config: deps.config, clock: () => now, logger: deps.logger, notify: recordingNotify() };
  while ((await sweepSla(s, { limit: 100 })).claimed > 0) { /* until nothing is due */ }
}

async function agentReply(t: Opened, body: string): Promise<void> {
  const notice = (await outboxOf(t.id)).find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === 'ayse@sanarise.example')!;
  await ingest(buildMail({ from: AGENT, to: notice.replyTo!.address, subject: `Re: ${notice.subject}`, inReplyTo: notice.messageId,
    references: notice.messageId, messageId: `<agent-${Math.random().toString(36).slice(2)}@sanarise.example>`, body }));
}

async function clientReply(t: Opened, subjectPrefix: string, body: string): Promise<void> {
  await ingest(buildMail({ from: t.from, subject: `YNT: ${subjectPrefix}${t.subject}`, inReplyTo: t.messageId, references: t.messageId,
    messageId: `<client-${Math.random().toString(36).slice(2)}@client.example>`, body }));
}

/**
 * The lead or a manager answers the escalation mail they got about the ticket (its Reply-To is
 * signed for them), the manager's when there is one.
 */
async function leaderReply(t: Opened, body: string): Promise<void> {
  const mails = (await outboxOf(t.id)).filter((r) => r.replyTo?.address.includes('+'));
  const mail = mails.find((r) => r.to[0]!.address === 'manager@sanarise.example') ?? mails.find((r) => r.to[0]!.address === 'lead@sanarise.example')!;
  const from = mail.to[0]!.address === 'manager@sanarise.example' ? 'Can Öztürk <manager@sanarise.example>' : 'Zeynep Kaya <lead@sanarise.example>';
  await ingest(buildMail({ from, to: mail.replyTo!.address, subject: `YNT: ${mail.subject}`, inReplyTo: mail.messageId,
    references: mail.messageId, messageId: `<leader-${Math.random().toString(36).slice(2)}@sanarise.example>`, body }));
}

async function answerSurvey(t: Opened, score: number): Promise<void> {
  const survey = (await outboxOf(t.id)).find((r) => r.kind === 'survey')!;
  await ingest(buildMail({ from: t.from, subject: `Re: ${survey.subject}`, inReplyTo: survey.messageId, references: survey.messageId,
    body: `${score}/5 teşekkürler` }));
}

/** The month: two tickets a working day, one client's five on 11 March, two complaints to management. */
function scenario(): Action[] {
  const actions: Action[] = [];
  const opened = new Map<number, Opened>();
  let k = 0;
  const open = (at: Date, from: string, subject: string, mailbox: 'support' | 'management', then: (n: number) => void) => {
    const n = k++;
    actions.push({ at, run: async () => {
      const messageId = `<m${n}@client.example>`;
      const outcome = await ingest(buildMail({ from, subject, messageId }), mailbox);
      opened.set(n, { id: outcome.ticket!.id, messageId, subject, from });
    } });
    if (mailbox === 'support') then(n);
  };
  const later = (n: number, at: Date, run: (t: Opened) => Promise<void>) => actions.push({ at, run: () => run(opened.get(n)!) });
  const plus = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

  BUSINESS_DAYS.forEach((day, d) => {
    const times = day === '2026-03-11' ? ['10:00', '10:10', '10:20', '10:30', '10:40'] : ['10:00', '14:00'];
    times.forEach((time, i) => {
      const at = ist(`${day} ${time}`);
      const from = day === '2026-03-11' ? CLIENTS[0]! : CLIENTS[(d * 2 + i) % CLIENTS.length]!;
      open(at, from, SUBJECTS[(d + i) % SUBJECTS.length]!, 'support', (n) => {
        switch (n % 6) {
          case 0: // answered, resolved, survey answered
            later(n, plus(at, 30), (t) => agentReply(t, 'Merhaba, inceliyoruz.'));
            later(n, plus(at, 90), (t) => agentReply(t, '#qualified\n#status resolved\n\nDüzeltildi.'));
            later(n, plus(at, 150), (t) => answerSurvey(t, (n % 5) + 1));
            break;
          case 1: // waiting on the client (a pause), the client answers the next day, resolved, no survey answer
            later(n, plus(at, 60), (t) => agentReply(t, '#qualified\n#status waiting\n\nEkran görüntüsü gönderebilir misiniz?'));
            later(n, plus(at, 24 * 60), (t) => clientReply(t, '', 'Ekte gönderdim.'));
            later(n, plus(at, 25 * 60), (t) => agentReply(t, '#status resolved\n\nTamamdır.'));
            break;
          case 2: // nobody answers: the sweep breaches it and tells the managers
            break;
          case 3: // the client escalates twice, nobody answers
            later(n, plus(at, 60), (t) => clientReply(t, '[Escalate] ', 'Acil bakar mısınız?'));
            later(n, plus(at, 120), (t) => clientReply(t, '[Yükselt] ', 'Hâlâ cevap yok.'));
            if (n % 12 === 3) {
              // ...but every other one the manager (or lead) gives three more working days to answer,
              // and the agent answers the next morning: late against the plain target, in time against the extended one.
              later(n, plus(at, 150), (t) => leaderReply(t, '#sla uzat ilk-yanıt 3g müşteri ile görüşüldü\n'));
              later(n, plus(at, 22 * 60), (t) => agentReply(t, 'Kusura bakmayın, bakıyoruz.'));
            }
            break;
          case 4: // answered in time, never qualified
            later(n, plus(at, 20), (t) => agentReply(t, 'Bakıyoruz.'));
            break;
          default: // the agent escalates to the lead while answering; the lead bends the clocks with #sla
            later(n, plus(at, 40), (t) => agentReply(t, '#escalate\n\nEkip liderine ilettim.'));
            if (n % 12 === 5) later(n, plus(at, 60), (t) => leaderReply(t, '#sla extend resolution 4h vendor patch needed\n'));
            else {
              later(n, plus(at, 60), (t) => leaderReply(t, '#sla duraklat müşterinin sunucusu bakımda\n'));
              later(n, plus(at, 180), (t) => leaderReply(t, '#sla devam\n'));
            }
            break;
        }
      });
    });
  });
  open(ist('2026-03-05 11:00'), CLIENTS[2]!, 'Şikayet: yanıt gelmiyor', 'management', () => {});
  open(ist('2026-03-24 16:00'), CLIENTS[3]!, 'Şikayet: fatura hatası', 'management', () => {});
  return actions.sort((a, b) => a.at.getTime() - b.at.getTime());
}

async function slagate(...args: string[]): Promise<{ code: number; out: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await main(['node', 'slagate', '--config', configPath, ...args], { out, err });
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

beforeAll(async () => {
  database = await createTestDatabase();
  deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now };
  dir = mkdtempSync(join(tmpdir(), 'slagate-reconcile-'));
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, tokenSecret: 'test-token-secret-0123456789' }));
  for (const action of scenario()) {
    now = action.at;
    await sweepAll();
    await action.run();
  }
  now = ist('2026-04-10 12:00');
  await sweepAll();
}, 600_000);

afterAll(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the monthly report reconciles with the event log', () => {
  const march = monthPeriod('2026-03', 'Europe/Istanbul')!;

  /** Counts over the events of the period's tickets (team: private ones left out), in SQL alone. */
  function counter(includePrivate: boolean) {
    const scope = sql`e.ticket_id in (select id from tickets where received_at >= ${march.start.toISOString()}::timestamptz
      and received_at < ${march.end.toISOString()}::timestamptz ${includePrivate ? sql`` : sql`and not private`})`;
    return async (select: SQL, where: SQL = sql`true`): Promise<Record<string, unknown>[]> =>
      await database.db.execute(sql`select ${select} from ticket_events e where ${scope} and ${where}`) as unknown as Record<string, unknown>[];
  }

  for (const includePrivate of [true, false]) {
    it(`agrees figure by figure (${includePrivate ? 'management' : 'team'} report)`, async () => {
      const { code, out } = await slagate('report', 'monthly', '--month', '2026-03', '--format', 'json', ...(includePrivate ? ['--private'] : []));
      expect(code).toBe(0);
      const report = JSON.parse(out) as Report;
      if (process.env.SHOW_FIGURES) console.log(JSON.stringify({ totals: report.totals, breaches: report.breaches, escalations: report.escalations, satisfaction: report.satisfaction, days: report.specialCircumstanceDays, fr: report.firstResponse.overall }));
      const q = counter(includePrivate);
      const one = async (select: SQL, where?: SQL) => Number(Object.values((await q(select, where))[0]!)[0]);
      const escalationKinds = sql`e.kind in ('sla-breach', 'sla-escalated-manager', 'client-escalated', 'command-escalate')`;

      const created = await one(sql`count(*)`, sql`e.kind = 'created'`);
      expect(created).toBe(includePrivate ? 45 : 43);
      expect(report.totals.tickets).toBe(created);
      const byPriority = Object.fromEntries((await q(sql`e.data->>'priority' as p, count(*)::int as n`, sql`e.kind = 'created' group by 1`))
        .map((r) => [r.p, r.n]));
      for (const row of report.byPriority) expect(row.count, row.priority).toBe(byPriority[row.priority] ?? 0);

      const resolved = await one(sql`count(distinct e.ticket_id)`, sql`e.kind = 'command-status' and e.data->>'command' = '#status resolved'`);
      expect(resolved).toBeGreaterThan(0);
      expect(report.totals.resolved).toBe(resolved);
      expect(report.totals.unresolved).toBe(created - resolved);
      expect(report.totals.slaReview).toBe(await one(sql`count(distinct e.ticket_id)`, sql`e.kind = 'special-circumstances'`));
      expect(report.totals.slaReview).toBe(2);
      expect(report.specialCircumstanceDays).toHaveLength(await one(sql`count(distinct e.data->>'day')`, sql`e.kind = 'special-circumstances'`));

      expect(report.firstResponse.overall.count).toBe(await one(sql`count(distinct e.ticket_id)`, sql`e.kind = 'agent-replied' and (e.data->>'firstResponse')::boolean`));
      expect(await one(sql`count(*)`, sql`e.kind = 'resumed'`)).toBeGreaterThan(0); // the pauses happened

      const breachAlerts = await one(sql`count(*)`, sql`e.kind = 'sla-breach'`);
      expect(breachAlerts).toBeGreaterThan(0);
      expect(report.breaches.alerts).toBe(breachAlerts);
      const byClock = Object.fromEntries((await q(sql`e.data->>'clock' as c, count(*)::int as n`, sql`e.kind = 'sla-breach' group by 1`)).map((r) => [r.c, r.n]));
      expect(report.breaches.byClock).toEqual(byClock);
      expect(report.escalations.managerAlerts).toBe(await one(sql`count(*)`, sql`e.kind = 'sla-escalated-manager'`));

      const clientEscalations = await one(sql`count(*)`, sql`e.kind = 'client-escalated'`);
      expect(clientEscalations).toBeGreaterThan(0);
      expect(report.escalations.clientEscalations).toBe(clientEscalations);
      expect(report.escalations.staffEscalations).toBe(await one(sql`count(*)`, sql`e.kind = 'command-escalate'`));
      expect(report.escalations.escalatedTickets).toBe(await one(sql`count(distinct e.ticket_id)`, escalationKinds));
      expect(report.escalations.reachedLead).toBe(await one(sql`count(distinct e.ticket_id)`, sql`e.kind in ('sla-breach', 'sla-escalated-manager')
        or (e.kind in ('client-escalated', 'command-escalate') and (e.data->>'level')::int >= 2)`));
      expect(report.escalations.reachedLead).toBeGreaterThan(0);
      expect(report.escalations.reachedManager).toBe(await one(sql`count(distinct e.ticket_id)`, sql`e.kind = 'sla-escalated-manager'
        or (e.kind in ('client-escalated', 'command-escalate') and (e.data->>'level')::int >= 3)`));

      // #sla: every applied command is an event; the report counts them and their minutes, and the
      // tickets' targets carry exactly the minutes the events granted.
      const slaPauses = await one(sql`count(*)`, sql`e.kind = 'command-sla' and e.data->>'action' = 'pause'`);
      const slaExtensions = await one(sql`count(*)`, sql`e.kind = 'command-sla' and e.data->>'action' = 'extend'`);
      expect(slaPauses).toBeGreaterThan(0);
      expect(slaExtensions).toBeGreaterThan(0);
      expect(report.slaAdjustments).toEqual({
        pauses: slaPauses, extensions: slaExtensions,
        extendedMinutes: await one(sql`coalesce(sum((e.data->>'minutes')::int), 0)`, sql`e.kind = 'command-sla' and e.data->>'action' = 'extend'`),
      });
      const granted = async (clock: string) => one(sql`coalesce(sum((e.data->>'minutes')::int), 0)`,
        sql`e.kind = 'command-sla' and e.data->>'action' = 'extend' and e.data->>'clock' = ${clock}`);
      const [columns] = await database.db.execute(sql`select coalesce(sum(first_response_extra_minutes), 0)::int as fr,
        coalesce(sum(resolution_extra_minutes), 0)::int as res from tickets where received_at >= ${march.start.toISOString()}::timestamptz
        and received_at < ${march.end.toISOString()}::timestamptz ${includePrivate ? sql`` : sql`and not private`}`) as unknown as { fr: number; res: number }[];
      expect(columns).toEqual({ fr: await granted('first-response'), res: await granted('resolution') });
      expect(columns!.fr).toBeGreaterThan(0);
      expect(columns!.res).toBeGreaterThan(0);
      // Every #sla pause was resumed: the pauses table holds one closed interval for each.
      expect(await one(sql`count(*)`, sql`e.kind = 'command-sla' and e.data->>'action' = 'resume'`)).toBe(slaPauses);

      // First-response attainment against the deadline in force (the #sla extension included): a
      // first response met when the first agent reply came by the stored due, missed when it came
      // later or never came by now; the extended tickets were all answered in their extension.
      const [fr] = await database.db.execute(sql`select count(*) filter (where r.at <= t.first_response_due)::int as met,
        count(*) filter (where r.at is not null or t.first_response_due <= now())::int as total,
        count(*) filter (where r.at <= t.first_response_due and t.first_response_extra_minutes > 0)::int as extended
        from tickets t left join lateral (select min(e.at) as at from ticket_events e where e.ticket_id = t.id and e.kind = 'agent-replied'
          and (e.data->>'firstResponse')::boolean) r on true
        where t.received_at >= ${march.start.toISOString()}::timestamptz and t.received_at < ${march.end.toISOString()}::timestamptz
        ${includePrivate ? sql`` : sql`and not t.private`}`) as unknown as { met: number; total: number; extended: number }[];
      const reported = report.attainment.byPriority.reduce((a, r) => ({ met: a.met + r.firstResponse.met, total: a.total + r.firstResponse.total }), { met: 0, total: 0 });
      expect(reported).toEqual({ met: fr!.met, total: fr!.total });
      expect(fr!.extended).toBe(await one(sql`count(distinct e.ticket_id)`, sql`e.kind = 'command-sla' and e.data->>'clock' = 'first-response'`));

      const surveys = await q(sql`distinct on (e.ticket_id) e.data->>'score' as s`, sql`e.kind = 'survey-answered' order by e.ticket_id, e.at desc, e.id desc`);
      expect(surveys.length).toBeGreaterThan(0);
      expect(report.satisfaction.responses).toBe(surveys.length);
      for (const s of ['1', '2', '3', '4', '5'] as const) {
        expect(report.satisfaction.distribution[s], `score ${s}`).toBe(surveys.filter((r) => r.s === s).length);
      }

      const clientRows = await database.db.execute(sql`select split_part(t.requester_address, '@', 2) as c, count(*)::int as n
        from ticket_events e join tickets t on t.id = e.ticket_id
        where e.kind = 'created' and t.received_at >= ${march.start.toISOString()}::timestamptz and t.received_at < ${march.end.toISOString()}::timestamptz
        ${includePrivate ? sql`` : sql`and not t.private`} group by 1`) as unknown as { c: string; n: number }[];
      expect(Object.fromEntries(report.clients.map((c) => [c.client, c.tickets]))).toEqual(Object.fromEntries(clientRows.map((r) => [r.c, r.n])));
      if (!includePrivate) expect(out).not.toMatch(/Şikayet|complaint/);
    });
  }
});
