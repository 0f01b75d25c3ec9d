import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  buildManagerDigest, isEmptyDigest, type DigestInput, type DigestOpenTicket,
} from '../../src/tickets/build-manager-digest.js';
import { digestSchedule } from '../../src/app/jobs/send-manager-digest.js';
import { monthlySchedule } from '../../src/app/jobs/send-monthly-reports.js';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { buildStaffMail } from '../../src/outbound/build-staff-mail.js';
import { createScheduledWorker } from '../../src/workers/scheduled-worker.js';

const config = parseConfig(DEFAULT_CONFIG_INPUT);
const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);
// Monday 16 March 2026 09:00: the digest; the next one is Tuesday 09:00.
const NOW = ist('2026-03-16 09:00');
const HORIZON = ist('2026-03-17 09:00');

let seq = 0;
function ticket(over: Partial<DigestOpenTicket>): DigestOpenTicket {
  seq++;
  return {
    id: seq, number: `SR-${1000 + seq}`, subject: `Ticket ${seq}`, private: false, priority: 'medium', status: 'open',
    assignee: null, requesterAddress: 'client@acme.example', receivedAt: ist('2026-03-16 08:00'), firstResponseAt: null,
    qualifiedAt: null, resolvedAt: null, breachedAt: null, pauses: [], firstResponseExtraMinutes: 0, resolutionExtraMinutes: 0, ...over,
  };
}

function digestOf(over: Partial<DigestInput>) {
  return buildManagerDigest({
    now: NOW, since: ist('2026-03-13 09:00'), horizon: HORIZON, policy: config.policy, people: config.people,
    openTickets: [], slaEscalations: [], clientEscalations: [], specialFlags: [], ...over,
  });
}

// Answered and qualified Monday 09:00: the 72-hour resolution clock's reminder is six business days away.
const calm = { firstResponseAt: ist('2026-03-16 09:00'), qualifiedAt: ist('2026-03-16 09:00') };

describe('the manager digest', () => {
  it('groups breached and at-risk team tickets by assignee, then by priority from critical down', () => {
    const d = digestOf({
      openTickets: [
        ticket({ number: 'SR-A', assignee: 'mert@sanarise.example', priority: 'medium', receivedAt: ist('2026-03-13 10:00') }),
        ticket({ number: 'SR-B', assignee: 'mert@sanarise.example', priority: 'high' }),
        ticket({ number: 'SR-C', assignee: 'ayse@sanarise.example', priority: 'medium' }),
        ticket({ number: 'SR-D', assignee: null, priority: 'low' }),
        ticket({ number: 'SR-E', assignee: 'ayse@sanarise.example', ...calm }),
      ],
    });
    expect(d.members.map((m) => [m.name, m.priorities.map((p) => [p.priority, p.tickets.map((t) => t.number)])])).toEqual([
      ['Ayşe Yılmaz', [['medium', ['SR-C']]]],
      ['Mert Demir', [['high', ['SR-B']], ['medium', ['SR-A']]]],
      ['', [['low', ['SR-D']]]],
    ]);
    expect(d.members[2]!.assignee).toBeNull();
    expect(d.breachedCount).toBe(1);
    expect(d.atRiskCount).toBe(3);
  });

  it('calls a ticket breached when its running clock is past the deadline, or an earlier clock breached', () => {
    const d = digestOf({
      openTickets: [
        // Friday 10:00 medium: first response was due Friday 14:00.
        ticket({ number: 'SR-LATE', receivedAt: ist('2026-03-13 10:00') }),
        ticket({ number: 'SR-EARLIER', ...calm, breachedAt: ist('2026-03-13 14:00') }),
      ],
    });
    const tickets = d.members.flatMap((m) => m.priorities.flatMap((p) => p.tickets));
    expect(tickets.map((t) => [t.number, t.state, t.clock])).toEqual([
      ['SR-LATE', 'breached', 'first-response'],
      ['SR-EARLIER', 'breached', 'resolution'],
    ]);
    expect(tickets[0]!.due).toEqual(ist('2026-03-13 14:00'));
  });

  // Issue 24: the digest read no #sla extension, so a lead's extension still showed as a breach.
  it('moves the deadline by a #sla extension: an extended ticket is at risk, not breached', () => {
    const d = digestOf({
      openTickets: [
        // Friday 10:00 medium, first response due Friday 14:00, extended by 8 working hours: Monday 13:00.
        ticket({ number: 'SR-EXTENDED', receivedAt: ist('2026-03-13 10:00'), firstResponseExtraMinutes: 480 }),
      ],
    });
    const tickets = d.members.flatMap((m) => m.priorities.flatMap((p) => p.tickets));
    expect(tickets.map((t) => [t.number, t.state, t.clock, t.due])).toEqual([
      ['SR-EXTENDED', 'at-risk', 'first-response', ist('2026-03-16 13:00')],
    ]);
  });

  it('calls a ticket at risk when a step falls before the next digest or its reminder has passed', () => {
    const d = digestOf({
      openTickets: [
        ticket({ number: 'SR-SOON' }), // first response due Monday 13:00, before Tuesday's digest
        // Resolution clock from Thursday 5 March 15:00: reminder (54 h) Friday 15:00, breach (72 h) Tuesday 15:00.
        ticket({ number: 'SR-REMINDED', firstResponseAt: ist('2026-03-05 15:00'), qualifiedAt: ist('2026-03-05 15:00') }),
        ticket({ number: 'SR-CALM', ...calm }),
        ticket({ number: 'SR-WAITING', ...calm, status: 'waiting', pauses: [{ start: ist('2026-03-16 09:00'), end: null }] }),
      ],
    });
    const tickets = d.members.flatMap((m) => m.priorities.flatMap((p) => p.tickets));
    expect(tickets.map((t) => [t.number, t.state])).toEqual([['SR-SOON', 'at-risk'], ['SR-REMINDED', 'at-risk']]);
  });

  it('lists every open private ticket apart, and never among the team', () => {
    const d = digestOf({
      openTickets: [
        ticket({ number: 'SR-P1', private: true, priority: 'low', ...calm }),
        ticket({ number: 'SR-P2', private: true, priority: 'low', receivedAt: ist('2026-03-12 09:00') }),
      ],
    });
    expect(d.members).toEqual([]);
    expect(d.privateTickets.map((t) => [t.number, t.state])).toEqual([['SR-P2', 'breached'], ['SR-P1', 'open']]);
    expect(isEmptyDigest(d)).toBe(false);
  });

  it('merges SLA and client escalations of the window in time order, and folds flags into one line per client and day', () => {
    const d = digestOf({
      slaEscalations: [
        { number: 'SR-1', subject: 's1', priority: 'high', private: false, clock: 'first-response', level: 'manager', firedAt: ist('2026-03-13 16:00') },
        { number: 'SR-2', subject: 's2', priority: 'medium', private: false, clock: 'resolution', level: 'breach', firedAt: ist('2026-03-13 08:59') },
      ],
      clientEscalations: [{ number: 'SR-3', subject: 's3', priority: 'low', private: true, at: ist('2026-03-13 11:00'), step: 'lead' }],
      specialFlags: [
        { number: 'SR-7', requesterAddress: 'busy@acme.example', day: '2026-03-13', count: 4 },
        { number: 'SR-8', requesterAddress: 'busy@acme.example', day: '2026-03-13', count: 5 },
      ],
    });
    expect(d.escalations.map((e) => [e.number, e.source, e.to])).toEqual([['SR-3', 'client', 'lead'], ['SR-1', 'sla', 'manager']]);
    expect(d.specialDays).toEqual([{ client: 'busy@acme.example', day: '2026-03-13', tickets: ['SR-7', 'SR-8'] }]);
  });

  it('has nothing to say when no ticket is at risk and nothing happened', () => {
    expect(isEmptyDigest(digestOf({ openTickets: [ticket({ ...calm })] }))).toBe(true);
  });

  it('renders in each manager\'s language from the management mailbox', () => {
    const d = digestOf({
      openTickets: [ticket({ number: 'SR-X', subject: 'Fatura & rapor', assignee: 'ayse@sanarise.example' }), ticket({ number: 'SR-P', private: true })],
    });
    const expected = [
      ['tr', 'AÇIK GİZLİ TALEPLER', 'SLA özeti 2026-03-16: 0 süresi aşılmış, 1 riskli'],
      ['en', 'OPEN PRIVATE TICKETS', 'SLA digest 2026-03-16: 0 breached, 1 at risk'],
    ] as const;
    for (const [language, heading, subject] of expected) {
      const mail = buildStaffMail(config, {
        kind: 'manager-digest', ticket: null, mailbox: 'management', dedupeKey: 'digest:2026-03-16', random: 'r',
        person: { ...config.people.find((p) => p.role === 'manager')!, language }, data: { ...d, date: '2026-03-16' },
      });
      expect(mail.from.address).toBe('management@sanarise.example');
      expect(mail.dedupeKey).toBe('digest:2026-03-16:manager@sanarise.example');
      expect(mail.text).toContain(heading);
      expect(mail.text).toContain('SR-X');
      expect(mail.text).toContain('Fatura & rapor');
      expect(mail.html).toContain('Fatura &amp; rapor');
      expect(mail.subject).toBe(subject);
    }
  });
});

describe('when digests and monthly reports fall', () => {
  it('digests come at 09:00 on business days only', () => {
    expect(digestSchedule(ist('2026-03-16 08:59'), config)).toEqual({ due: null, nextAt: ist('2026-03-16 09:00') });
    expect(digestSchedule(ist('2026-03-16 09:00'), config).due).toEqual({ date: '2026-03-16', at: ist('2026-03-16 09:00') });
    // Late the same day still counts as due.
    expect(digestSchedule(ist('2026-03-16 17:30'), config).due?.date).toBe('2026-03-16');
    // Saturday: nothing, next Monday.
    expect(digestSchedule(ist('2026-03-14 10:00'), config)).toEqual({ due: null, nextAt: ist('2026-03-16 09:00') });
    // Friday's digest is followed by Monday's.
    expect(digestSchedule(ist('2026-03-13 09:30'), config).nextAt).toEqual(ist('2026-03-16 09:00'));
    // Ramazan Bayramı 20 March 2026 (Friday) is a holiday; the half-day eve (19th) is a business day.
    expect(digestSchedule(ist('2026-03-20 10:00'), config).due).toBeNull();
    expect(digestSchedule(ist('2026-03-19 10:00'), config).due?.date).toBe('2026-03-19');
    expect(digestSchedule(ist('2026-03-19 10:00'), config).nextAt).toEqual(ist('2026-03-23 09:00'));
  });

  it('digests follow the configured time', () => {
    const late = parseConfig({ ...structuredClone(DEFAULT_CONFIG_INPUT), sla: { digestTime: '10:30' } });
    expect(digestSchedule(ist('2026-03-16 10:00'), late)).toEqual({ due: null, nextAt: ist('2026-03-16 10:30') });
  });

  it('monthly reports go on the first business day for the month before', () => {
    expect(monthlySchedule(ist('2026-06-01 09:00'), config).due).toEqual({ month: '2026-05', at: ist('2026-06-01 09:00') });
    expect(monthlySchedule(ist('2026-06-01 08:00'), config)).toEqual({ due: null, nextAt: ist('2026-06-01 09:00') });
    // 1 May 2026 is a holiday and 2-3 May a weekend: April's report goes on Monday 4 May.
    expect(monthlySchedule(ist('2026-05-01 10:00'), config)).toEqual({ due: null, nextAt: ist('2026-05-04 09:00') });
    expect(monthlySchedule(ist('2026-05-04 09:00'), config).due?.month).toBe('2026-04');
    // A process down on the day catches up during the next two business days, not later in the month.
    expect(monthlySchedule(ist('2026-06-03 12:00'), config)).toEqual({
      due: { month: '2026-05', at: ist('2026-06-01 09:00') }, nextAt: ist('2026-07-01 09:00'),
    });
    expect(monthlySchedule(ist('2026-06-15 12:00'), config)).toEqual({ due: null, nextAt: ist('2026-07-01 09:00') });
    expect(monthlySchedule(ist('2026-01-02 09:00'), config).due?.month).toBe('2025-12');
  });
});

describe('the scheduled worker under the digest and the monthly mailing', () => {
  it('retries a failed run after retryMs and counts the occurrence done only once it succeeded', async () => {
    const now = ist('2026-03-16 09:00');
    let runs = 0;
    const waits: number[] = [];
    let thirdWait = () => {};
    const waitedThrice = new Promise<void>((resolve) => { thirdWait = resolve; });
    const worker = createScheduledWorker('test', {
      schedule: () => ({ due: '2026-03-16', nextAt: ist('2026-03-17 09:00') }),
      run: async () => {
        runs++;
        if (runs === 1) throw new Error('database down');
        return runs;
      },
    }, {
      clock: () => now, logger: pino({ level: 'silent' }), retryMs: 60_000, maxWaitMs: 7 * 86_400_000,
      wait: async (ms, signal) => {
        waits.push(ms);
        if (waits.length < 3) return;
        thirdWait();
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    });
    await worker.start();
    await waitedThrice;
    expect(runs).toBe(2);
    expect(waits).toEqual([60_000, 24 * 3_600_000, 24 * 3_600_000]);
    await worker.close();
  });
});

describe('the reports config', () => {
  it('defaults to 09:00 and no client reports, lowercases clients, and names a bad one', () => {
    expect(config.reports).toEqual({ monthlyMailTime: '09:00', clientReports: [] });
    const ok = parseConfig({ ...structuredClone(DEFAULT_CONFIG_INPUT), reports: { clientReports: [{ client: 'ACME.Example', to: ['CFO@acme.example'] }] } });
    expect(ok.reports.clientReports).toEqual([{ client: 'acme.example', to: ['cfo@acme.example'], language: 'tr' }]);
    expect(() => parseConfig({ ...structuredClone(DEFAULT_CONFIG_INPUT), reports: { clientReports: [{ client: 'acme', to: [] }] } }))
      .toThrow(/reports\.clientReports\.0\.client: expected an address or a domain[\s\S]*reports\.clientReports\.0\.to/);
  });
});
