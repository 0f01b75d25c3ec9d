import { join } from 'node:path';
import { EXIT, type RegisterCommand } from './context.js';

interface ApiTicket {
  id: number; number: string; type: string; priority: string; private: boolean; requester: string | null;
  subject: string | null; firstResponseDue: string | null; resolutionDue: string | null;
}
interface ApiOutbox {
  id: number; kind: string; status: string; ticket: string | null; to: string[]; subject: string | null;
  recipients: Record<string, string>;
}

const WAIT_MS = 30_000; // for the outbox to write the acknowledgements

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description('send a handful of realistic mails to the running gateway (local mail mode) and print the tickets, due times and outgoing mail')
    .addHelpText('after', `
Run \`slagate start\` first, in the same folder and with the same config. The demo speaks SMTP to
the gateway's local listener and reads the results from its loopback HTTP endpoints
(/api/tickets and /api/outbox): the embedded database belongs to the running gateway alone, so
the demo never opens it.`)
    .action(async () => {
      const { readRunningGateway } = await import('../mail-listeners/running-gateway-file.js');
      const { demoMails, demoReply } = await import('./demo-mails.js');
      const { createRawMailClient } = await import('../smtp/send-raw.js');
      const { DateTime } = await import('luxon');
      const config = ctx.config();
      const running = readRunningGateway(config);
      const http = running?.http ?? config.http;
      const base = `http://${http.host}:${http.port}`;
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${base}${path}`);
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
        return await res.json() as T;
      };
      try {
        await get<unknown>('/api/tickets?limit=1');
      } catch {
        ctx.err.write(`No gateway answers at ${base}. Start it first with \`npx slagate start\` (in this folder, with the same config), then run the demo again.\n`);
        ctx.exitCode = EXIT.TEMPFAIL;
        return;
      }
      const smtp = running ? running.smtp : config.localMail;
      if (!smtp) {
        ctx.err.write('The running gateway reads its mailboxes over IMAP: the demo needs local mail mode (no IMAP configured).\n');
        ctx.exitCode = EXIT.USAGE;
        return;
      }

      const before = await get<{ tickets: ApiTicket[] }>('/api/tickets?limit=1');
      const lastTicket = before.tickets[0]?.id ?? 0;
      const beforeOut = await get<{ outbox: ApiOutbox[] }>('/api/outbox?limit=1');
      const lastOutbox = beforeOut.outbox[0]?.id ?? 0;
      const run = Date.now().toString(36);
      const client = createRawMailClient(smtp);
      const sent: { to: string[] }[] = [];
      try {
        const mails = demoMails(config, new Date(), run);
        // The listener answers only after the mail is stored, so each ticket exists when send resolves.
        for (const mail of mails) {
          await client.send({ from: mail.from, to: mail.to }, mail.raw);
          sent.push(mail);
          ctx.out.write(`sent: ${mail.label}\n`);
        }
        const first = (await newTickets()).find((t) => t.requester === mails[0]!.from && !t.private);
        if (first) {
          const reply = demoReply(config, new Date(), run, first.number, mails[0]!);
          await client.send({ from: reply.from, to: reply.to }, reply.raw);
          ctx.out.write(`sent: ${reply.label}\n`);
        }
      } finally {
        client.close();
      }

      const tickets = await newTickets();
      const deadline = Date.now() + WAIT_MS;
      let outgoing = await newOutbox();
      // Every new ticket's acknowledgement written (or refused) before the summary.
      while (Date.now() < deadline && tickets.some((t) => !outgoing.some((o) => o.ticket === t.number && o.kind.startsWith('acknowledgement') && o.status !== 'pending' && o.status !== 'sending'))) {
        await new Promise((r) => setTimeout(r, 250));
        outgoing = await newOutbox();
      }

      const local = (iso: string | null) => (iso ? DateTime.fromISO(iso).setZone(config.zone).toFormat('yyyy-MM-dd HH:mm') : '-');
      ctx.out.write(`\nTickets (due times in ${config.zone}):\n`);
      for (const t of [...tickets].reverse()) {
        ctx.out.write(`  ${t.number.padEnd(9)} ${t.type.padEnd(22)} ${t.priority.padEnd(8)} ${t.private ? 'private' : 'team   '}`
          + `  first response by ${local(t.firstResponseDue)}  ${t.resolutionDue ? `resolution by ${local(t.resolutionDue)}` : 'resolution clock not started'}\n`);
      }
      // The API never shows a private ticket (issue 20): the complaint the demo sent is only named.
      const complaints = sent.filter((m) => m.to.includes(config.mailboxes.management.address)).length;
      if (complaints > 0) {
        ctx.out.write(`  (${complaints} complaint${complaints > 1 ? 's' : ''} to management: private, never shown to the team here;`
          + ' managers got it by mail, and `slagate tickets list --private` lists it)\n');
      }
      ctx.out.write(`\nOutgoing mail${running?.outDir ? ` (files in ${running.outDir})` : ''}:\n`);
      for (const o of [...outgoing].reverse()) {
        const file = Object.values(o.recipients).map((r) => /written to (\S+)/.exec(r)?.[1]).find(Boolean);
        const where = file ? join(running?.outDir ?? config.localMail.outDir, file) : o.status;
        ctx.out.write(`  ${where}\n    to ${o.to.length ? o.to.join(', ') : '(management only)'}: ${o.subject ?? `(about private ticket ${o.ticket ?? ''})`}\n`);
      }

      async function newTickets(): Promise<ApiTicket[]> {
        return (await get<{ tickets: ApiTicket[] }>('/api/tickets?limit=200')).tickets.filter((t) => t.id > lastTicket);
      }
      async function newOutbox(): Promise<ApiOutbox[]> {
        return (await get<{ outbox: ApiOutbox[] }>('/api/outbox?limit=200')).outbox.filter((o) => o.id > lastOutbox);
      }
    });
};
