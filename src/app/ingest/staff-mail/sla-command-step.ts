import type { Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { closePause, hasOpenPause, openPause, type TicketRow } from '../../../db/repositories/ticket-repository.js';
import type { AgentCommand } from '../../../inbound/agent-commands.js';
import { say, type Said } from '../../../outbound/said.js';

type SlaCommand = Extract<AgentCommand, { kind: 'sla' }>;

export interface SlaStep {
  ok: boolean;
  message: Said;
  patch?: { firstResponseExtraMinutes?: number; resolutionExtraMinutes?: number };
  data?: Record<string, unknown>;
  effect?: () => Promise<void>;
}

/** Who may move a ticket's clocks: the agreement's targets are the lead's and the manager's to bend. */
const MAY_ADJUST = new Set<Person['role']>(['lead', 'manager']);

/**
 * `#sla pause|resume|extend` on a locked ticket. The caller records the applied step as an event
 * (actor, reason in data) and recomputes the stored deadlines after it; the pause starts and ends
 * when the staff member's mail arrived, like `#status waiting`.
 */
export async function slaCommandStep(tx: Db, ticket: TicketRow, by: Person, command: SlaCommand, arrivedAt: Date): Promise<SlaStep> {
  if (!MAY_ADJUST.has(by.role)) {
    return { ok: false, message: say(`only a lead or a manager may adjust the SLA clocks; ${by.address} is ${by.role === 'agent' ? 'an agent' : by.role}: ask your lead`,
      `SLA sürelerini yalnızca bir ekip lideri veya yönetici değiştirebilir; ${by.address} ${by.role === 'agent' ? 'bir temsilci' : by.role}: ekip liderinize başvurun`) };
  }
  if (ticket.status === 'resolved' || ticket.status === 'closed') {
    return { ok: false, message: say(`${ticket.number} is ${ticket.status}: its clocks have stopped`, `${ticket.number} ${ticket.status === 'resolved' ? 'çözüldü' : 'kapalı'}: süreleri durdu`) };
  }
  switch (command.action) {
    case 'pause': {
      if (await hasOpenPause(tx, ticket.id)) return { ok: false, message: say(`the resolution clock of ${ticket.number} is already paused`, `${ticket.number} talebinin çözüm süresi zaten durdurulmuş`) };
      return {
        ok: true, message: say(`resolution clock paused (${command.reason}); it runs again with #sla resume`, `çözüm süresi durduruldu (${command.reason}); #sla devam ile yeniden işler`),
        data: { action: 'pause', reason: command.reason },
        effect: async () => { await openPause(tx, ticket.id, arrivedAt); },
      };
    }
    case 'resume': {
      // A waiting ticket's pause is the client's: it ends when they reply or the status changes.
      if (ticket.status === 'waiting') return { ok: false, message: say(`${ticket.number} is waiting on the client: set #status open to run its clock again`, `${ticket.number} müşteriyi bekliyor: süresini yeniden işletmek için #durum açık yazın`) };
      if (!(await hasOpenPause(tx, ticket.id))) return { ok: false, message: say(`the resolution clock of ${ticket.number} is not paused`, `${ticket.number} talebinin çözüm süresi durdurulmuş değil`) };
      return {
        ok: true, message: say('resolution clock running again', 'çözüm süresi yeniden işliyor'),
        data: { action: 'resume' },
        effect: async () => { await closePause(tx, ticket.id, arrivedAt); },
      };
    }
    case 'extend': {
      const column = command.clock === 'first-response' ? 'firstResponseExtraMinutes' : 'resolutionExtraMinutes';
      const total = ticket[column] + command.minutes;
      return {
        ok: true,
        message: say(`${command.clock} target extended by ${command.minutes} working minutes (${total} in all) (${command.reason}); the deadline is recomputed`,
          `${command.clock === 'first-response' ? 'ilk yanıt' : 'çözüm'} hedefi ${command.minutes} çalışma dakikası uzatıldı (toplam ${total}) (${command.reason}); hedef zaman yeniden hesaplandı`),
        patch: { [column]: total },
        data: { action: 'extend', clock: command.clock, minutes: command.minutes, totalMinutes: total, reason: command.reason },
      };
    }
  }
}
