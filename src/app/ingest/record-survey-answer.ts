import type { Db } from '../../db/client.js';
import { appendEvents } from '../../db/repositories/event-repository.js';
import { insertMessage } from '../../db/repositories/message-repository.js';
import { lockTicket, updateTicket } from '../../db/repositories/ticket-repository.js';
import { extractNewText } from '../../inbound/reply-text.js';
import type { Priority } from '../../policy/priorities.js';
import { enqueueStaffNotification } from '../notify/enqueue-staff-notification.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import { attachmentRows, inboundMessageRow, senderOf } from './inbound-message-row.js';
import type { RouteContext, RouteInput } from './route-types.js';
import { staffWithRole } from '../../tickets/staff-directory.js';
import { ticketViewOf } from '../../tickets/ticket-view-of.js';

export interface SurveyAnswer {
  score: 1 | 2 | 3 | 4 | 5;
  comment: string | null;
}

// The first line starts with the score: "5", "puan: 4", "4 - çok iyi", "5/5 harika". A bare
// number must be followed by punctuation or nothing: "2 users still cannot log in" is a problem
// report, and must reopen the ticket instead.
const SCORE_LINE = /^(?:(?:puan(?:ım|im)?|skor|score|rating|not|oy)\s*[:=]?\s*)?([1-5])(?:\s*\/\s*5(?:\s*[-–—:.,!)]?\s*(.*))?|\s*(?:[-–—:.,!)]\s*(.*))?)$/iu;

/** The score a client's reply gives, or null when its first written line is not one. */
export function readSurveyAnswer(text: string): SurveyAnswer | null {
  const lines = extractNewText(text).body.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return null;
  const m = SCORE_LINE.exec(lines[first]!.trim());
  if (!m) return null;
  const comment = [m[2] ?? m[3] ?? '', ...lines.slice(first + 1)].join('\n').trim();
  return { score: Number(m[1]) as SurveyAnswer['score'], comment: comment === '' ? null : comment };
}

/**
 * A client's reply on a resolved ticket (within the reopen window) that starts with a score is
 * the survey's answer: stored on the ticket instead of reopening it. A score of 1 or 2 is told to
 * the managers alone. Returns null when the reply is not a score, so the caller reopens.
 */
export async function recordSurveyAnswer(
  tx: Db, ctx: RouteContext, m: RouteInput, ticketId: number,
): Promise<Omit<IngestOutcome, 'rawMailId'> | null> {
  const answer = readSurveyAnswer(m.mail.text);
  if (!answer) return null;
  const { config, now } = ctx;
  const ticket = await lockTicket(tx, ticketId);
  if (!ticket || ticket.status !== 'resolved') return null;
  await insertMessage(tx, inboundMessageRow(ticket.id, m, 'client'), attachmentRows(m));
  await updateTicket(tx, ticket.id, { satisfactionScore: answer.score, satisfactionComment: answer.comment }, now);
  await appendEvents(tx, [{
    ticketId: ticket.id, at: now, actor: 'client', kind: 'survey-answered', reason: `score ${answer.score}/5`,
    data: { score: answer.score, comment: answer.comment, rawMailId: m.rawMailId, previousScore: ticket.satisfactionScore },
  }]);
  if (answer.score <= 2) {
    await enqueueStaffNotification(tx, { config, clock: () => now }, {
      ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
      kind: 'client-reply-forward', recipients: staffWithRole(config, 'manager'), notBefore: now,
      dedupeKey: `survey-low:${ticket.id}:${m.rawMailId}`,
      data: { body: `${answer.score}/5${answer.comment ? `\n${answer.comment}` : ''}`, sender: senderOf(m), surveyScore: answer.score },
    });
  }
  return {
    decision: 'reply', acknowledge: false, reason: `survey answer ${answer.score}/5 on ${ticket.number}`,
    ticket: { id: ticket.id, number: ticket.number, type: ticket.type, priority: ticket.priority as Priority, private: ticket.private },
  };
}
