import { failedRecipientsInText, reportPart, statusCodesIn, type FailedRecipient } from './bounce-text.js';
import { asciiLowerAddress, caseFold } from './case-fold.js';
import type { ParsedMail } from './parsed-mail.js';

/**
 * What a mail is when a machine wrote it. `person` is everything else, and the only kind that may
 * open a ticket and be acknowledged; `loop` is our own mail come back.
 */
export const MACHINE_KINDS = [
  'delivery-failure', 'delivery-delayed', 'feedback-report', 'auto-reply', 'challenge-response',
  'list', 'bulk', 'noreply', 'auto-generated', 'loop', 'person',
] as const;
export type MachineKind = (typeof MACHINE_KINDS)[number];

export interface MachineVerdict {
  kind: MachineKind;
  /** Whether an automatic answer is allowed (RFC 3834 §2): only a person without any hint against it. */
  acknowledge: boolean;
  /** Short stable phrases naming what decided, e.g. `null return path`, `message/delivery-status part`. */
  signals: string[];
  /** delivery-failure and feedback-report: the recipients the report names, with their status. */
  failed: FailedRecipient[];
  /** The Message-ID of the mail the report is about (returned headers, MDN, or quoted in a prose bounce). */
  reportedMessageId: string | null;
  /** A list mail that `policy.allowedLists` lets through: it becomes a ticket, never acknowledged. */
  allowedList: string | null;
}

export interface MachineMailContext {
  /** Our mailbox addresses (support, management). */
  ownAddresses: string[];
  /** The domain of the Message-IDs we generate. */
  messageIdDomain: string;
  /** List-Id labels or list posting addresses whose mail may become tickets (policy.allowedLists). */
  allowedLists: string[];
}

// RFC 5321 §4.5.5 and long practice: the mail system's own senders. postmaster is a human role
// (RFC 2142), so alone it only stops the acknowledgement; with anything bounce-like it is a bounce.
const DAEMON_LOCAL_PARTS = new Set(['mailer-daemon', 'mailerdaemon', 'mail-daemon', 'mailer_daemon']);
const POSTMASTER_LOCAL_PARTS = new Set(['postmaster', 'post_master', 'poostmaster']);
// noreply, no-reply, no_reply, donotreply, do-not-reply, and the same as a prefix or suffix
// (gmail-noreply, noreply-invoices); never a substring of a longer word.
const NOREPLY = /(^|[-_.+])(no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply)([-_.+]|$)/;
// List managers' own addresses (RFC 2142 §4 LIST-REQUEST; owner-LIST, LIST-owner, LIST-bounces, LIST-admin).
const LIST_ROLE = /^(owner-.+|.+-(owner|request|bounces?|admin))$/;

// Subjects of prose bounces, folded (Turkish letters to ASCII), anchored at the start; only
// believed from a mail-system sender.
const BOUNCE_SUBJECTS = [
  /^undelivered mail returned to sender\b/, /^delivery status notification\b/, /^mail delivery failed\b/,
  /^returned mail\b/, /^undeliverable\b/, /^undelivered\b/, /^delivery (has )?failed\b/, /^delivery failure\b/,
  /^failure notice\b/, /^mail system error\b/, /^mail (delivery )?failure\b/, /^message delivery has failed\b/,
  /^mail could not be delivered\b/, /^delivery notification\b/, /^non remis\b/, /^non recapitabile\b/,
  /^teslim edilemedi\b/, /^teslim edilemiyor\b/, /^iletilemedi\b/, /^unzustellbar\b/, /^notice: mail delivery status\b/,
];
// What a mail system writes in a prose bounce; read only in the report's own text, above the
// returned copy, and only from a mail-system sender.
const FAILURE_PHRASES = /created automatically by mail delivery software|could ?n[o']t be delivered|was not delivered|undeliverable|delivery (?:has )?failed|failed permanently|did not reach the following recipient|(?:wasn't|was not|were not|unable|not able) (?:able )?to deliver|permanent (?:error|failure)|user unknown|unknown user|no such user|mailbox (?:unavailable|not found|full|disabled)|transcript of session follows|message you sent (?:was )?blocked|rejected (?:by|your message)|teslim edilemedi|iletilemedi/i;
const DELAY_PHRASES = /has been delayed|delivery (?:is |has been )?delayed|\bdelayed \d+ (?:hours?|minutes?|days?)|will (?:continue|keep) (?:trying|to try)|(?:is )?still trying|could not send mail for past|warning: could not send|not yet been delivered|temporarily (?:deferred|unable)/i;
const FINAL_PHRASES = /given up|not going to try again|permanent (?:error|failure)|failed permanently|returning message to sender|retry timeout exceeded/i;
const DELAY_SUBJECTS = [/\(delay\)/, /^warning: message .* delayed/, /^warning\W*could not send/, /^delivery notification: delivery has been delayed/, /^delayed mail\b/, /^gecikme\b/];

// Auto-reply subjects must start the subject and end at a colon or the end: a person may well
// write about "out of office settings", or "İzindeyim ama acil bir sorun var" (on leave, but urgent).
const AUTO_REPLY_SUBJECTS = [
  /^out of (the )?office( reply| autoreply)?(:|$)/, /^automatic reply(:|$)/, /^auto ?reply(:|$)/, /^auto ?response(:|$)/,
  /^autoresponse(:|$)/, /^otomatik (yanit|cevap)(:|$)/, /^ofis disinda(:|$)/, /^ofiste degilim(:|$)/, /^izindeyim(:|$)/,
  /^izinde(yim)?:/, /^abwesenheitsnotiz(:|$)/, /^automatische antwort(:|$)/, /^reponse automatique(:|$)/, /^absence(:|$)/,
  /^vacation( reply)?(:|$)/, /^on vacation(:|$)/, /^away from (the )?office(:|$)/,
];
// Challenge-response systems (TMDA, Boxbe, SpamArrest ...) ask the sender to prove they are a
// person; believed only on mail that already says it is automatic.
const CHALLENGE = /verify (?:that )?you are (?:a )?(?:human|person|real)|confirm (?:that )?you are (?:a )?(?:human|person|real)|(?:sender|e-?mail) (?:address )?verification|please (?:confirm|verify) your (?:message|email|e-mail|address)|requires? (?:your )?(?:confirmation|verification) before|awaiting (?:your )?confirmation|added to (?:my|the) (?:approved|allowed|white) ?list|kimliginizi dogrulayin|mesajinizi onaylayin/i;
// Old Hotmail/JMRP complaints come as plain mail around the reported message, named by its IP.
const MAIL_ADDRESS = /^[^\s@<>()|/]+@[^\s@<>()]+\.[^\s@<>()]+$/;
const COMPLAINT_SUBJECT = /^complaint about message from \d{1,3}(\.\d{1,3}){3}\b/;
// A whole header block quoted in the body: what a mail system returns, not what a person types.
const QUOTED_RECEIVED = /^[ \t>]*Received: (?:from|by|\()/gim;
const QUOTED_MESSAGE_ID = /^[ \t>]*Message-ID:[ \t]*(<[^<>\s@]+@[^<>\s@]+>)/gim;

/**
 * Classifies a parsed mail as machine mail of some kind or a person's mail, from the standards'
 * signals first (RFC 3464 DSN, RFC 5965 ARF, RFC 8098 MDN, RFC 3834 Auto-Submitted, RFC 2369 and
 * 2919 list headers, the null return path) and then from what mail systems write when they send
 * no standard report, never from a server family's name. Pure.
 */
export function classifyMachineMail(mail: ParsedMail, ctx: MachineMailContext): MachineVerdict {
  const signals: string[] = [];
  const own = new Set(ctx.ownAddresses.map(asciiLowerAddress));
  const ourDomain = asciiLowerAddress(ctx.messageIdDomain);
  const subject = caseFold(mail.subject);
  const contentType = mail.contentType.toLowerCase();
  const reportType = contentType.startsWith('multipart/report') ? (/report-type="?([a-z0-9-]+)/.exec(contentType)?.[1] ?? '') : null;
  const partTypes = new Set(mail.attachments.map((a) => a.contentType.toLowerCase()));

  // --- who sent it
  const senders = mail.from.map((a) => asciiLowerAddress(a.address));
  const fromLocals = senders.map(localPart);
  const returnPath = mail.returnPath;
  const returnLocal = returnPath ? localPart(returnPath) : null;
  const nullReturnPath = returnPath === '';
  if (nullReturnPath) signals.push('null return path');
  const daemon = fromLocals.some((l) => DAEMON_LOCAL_PARTS.has(l)) || (returnLocal !== null && DAEMON_LOCAL_PARTS.has(returnLocal));
  if (daemon) signals.push('from mailer-daemon');
  const postmaster = fromLocals.some((l) => POSTMASTER_LOCAL_PARTS.has(l)) || (returnLocal !== null && POSTMASTER_LOCAL_PARTS.has(returnLocal));
  if (postmaster) signals.push('from postmaster');
  const noSender = senders.length === 0;
  const mailSystem = nullReturnPath || daemon || postmaster;

  // --- what it says about itself (RFC 3834)
  const autoSubmitted = headerToken(mail, 'auto-submitted');
  const automatic = autoSubmitted !== null && autoSubmitted !== 'no';
  if (automatic) signals.push(`auto-submitted: ${autoSubmitted}`);
  const precedence = headerToken(mail, 'precedence');
  const bulkPrecedence = precedence === 'bulk' || precedence === 'list' || precedence === 'junk';
  if (bulkPrecedence || precedence === 'auto_reply') signals.push(`precedence: ${precedence}`);
  const autoReplyHeaders = ['x-autoreply', 'x-autorespond', 'x-mail-autoreply', 'x-autoresponder'].filter((h) => mail.headers[h]);
  for (const h of autoReplyHeaders) signals.push(`${h} header`);
  if (headerToken(mail, 'x-autogenerated') === 'reply') signals.push('x-autogenerated: reply');
  const autoReplyHeader = autoSubmitted === 'auto-replied' || precedence === 'auto_reply' || autoReplyHeaders.length > 0 || headerToken(mail, 'x-autogenerated') === 'reply';

  // --- list headers (RFC 2919 List-Id, RFC 2369 List-*, ezmlm's Mailing-List)
  const listIdRaw = mail.headers['list-id']?.[0] ?? null;
  // RFC 2919: `[phrase] <list-label>`, the label a dot-atom with at least one dot. Anything else
  // (seen: "abuser@example.com Mailing List") is not a list identifier.
  const listId = listIdRaw === null ? null : (/<([^<>\s]+\.[^<>\s]+)>/.exec(listIdRaw)?.[1]?.toLowerCase() ?? null);
  if (listId !== null) signals.push(`list-id <${listId}>`);
  else if (listIdRaw !== null) signals.push('malformed list-id');
  const listHeaders = ['list-post', 'list-unsubscribe', 'list-subscribe', 'list-help', 'list-owner', 'list-archive', 'mailing-list']
    .filter((h) => mail.headers[h]);
  for (const h of listHeaders) signals.push(`${h} header`);
  const isList = listId !== null || listHeaders.includes('list-post') || listHeaders.includes('mailing-list') || precedence === 'list';
  const isNewsletter = listHeaders.length > 0;

  const noreply = senders.some((a) => NOREPLY.test(localPart(a)));
  if (noreply) signals.push('noreply sender');

  // --- what it carries
  const dsnPart = mail.deliveryReport !== null;
  const feedbackPart = mail.feedbackReport !== null || partTypes.has('message/feedback-report');
  const mdn = reportType === 'disposition-notification' || mail.dispositionNotification !== null;
  const returnedPart = mail.returnedMessageIds.length > 0 || partTypes.has('message/rfc822') || [...partTypes].some((t) => t.startsWith('text/rfc822-header'));
  let report: string | null = null;
  const reportText = () => (report ??= reportPart(mail.text));
  const quotedHeaders = () => {
    QUOTED_RECEIVED.lastIndex = 0;
    QUOTED_MESSAGE_ID.lastIndex = 0;
    const found = QUOTED_RECEIVED.test(mail.text) && QUOTED_MESSAGE_ID.test(mail.text);
    QUOTED_RECEIVED.lastIndex = 0;
    QUOTED_MESSAGE_ID.lastIndex = 0;
    return found;
  };

  const verdict = (kind: MachineKind, extra: Partial<MachineVerdict> = {}): MachineVerdict => ({
    kind, acknowledge: false, signals, failed: [], reportedMessageId: null, allowedList: null, ...extra,
  });
  const reported = (): string | null => reportedMessageId(mail, ourDomain);

  // 1. Feedback reports (RFC 5965): always a report of a mail someone received, whatever the sender.
  if (reportType === 'feedback-report' || feedbackPart) {
    signals.push(reportType === 'feedback-report' ? 'multipart/report; report-type=feedback-report' : 'message/feedback-report part');
    const fr = mail.feedbackReport;
    if (fr?.feedbackType) signals.push(`feedback-type: ${fr.feedbackType}`);
    const failed = (fr?.originalRcptTo ?? []).map((address) => ({ address, status: null, permanent: false }));
    return verdict('feedback-report', { failed, reportedMessageId: reported() });
  }
  if (COMPLAINT_SUBJECT.test(subject)) {
    signals.push('complaint subject naming an IP address');
    return verdict('feedback-report', { reportedMessageId: reported() });
  }

  // 2. Delivery status notifications (RFC 3464), believed from a top-level report or a mail system:
  // a person forwarding a DSN as an attachment is a person.
  if (reportType === 'delivery-status' || (dsnPart && (reportType !== null || mailSystem || noSender))) {
    signals.push(reportType === 'delivery-status' ? 'multipart/report; report-type=delivery-status' : 'message/delivery-status part');
    const recipients = mail.deliveryReport?.recipients ?? [];
    const failedRows = recipients.filter((r) => r.action === null || r.action === 'failed');
    // A recipient that is no mail address (a pipe or a mailbox file that failed) names nobody to record.
    const failed = failedRows.filter((r) => MAIL_ADDRESS.test(r.address)).map((r) => dsnRecipient(r.address, r.status));
    const delayed = recipients.filter((r) => r.action === 'delayed');
    const reportedId = reported();
    if (failedRows.length > 0) return verdict('delivery-failure', { failed, reportedMessageId: reportedId });
    if (delayed.length > 0) {
      signals.push('action: delayed');
      return verdict('delivery-delayed', { reportedMessageId: reportedId });
    }
    if (recipients.length > 0) {
      // delivered, relayed, expanded: a success notice, nothing to do
      signals.push(`action: ${recipients[0]!.action}`);
      return verdict('auto-generated', { reportedMessageId: reportedId });
    }
    return proseBounce(true);
  }

  // 3. Read receipts (RFC 8098) are automatic answers.
  if (mdn) {
    signals.push('disposition-notification');
    return verdict('auto-reply', { reportedMessageId: mail.dispositionNotification?.originalMessageId ?? reported() });
  }

  // 4. Prose bounces: only from the mail system (null return path, MAILER-DAEMON, postmaster, no
  // sender at all), never from a person, so a client pasting a bounce into a request stays a client.
  // Read only for mail from a mail system or a noreply sender: a person's text is never searched.
  const bounceSubject = BOUNCE_SUBJECTS.some((p) => p.test(subject)) || BOUNCE_SUBJECTS.some((p) => p.test(subject.replace(/^\S+ /, '')));
  const bounceText = () => FAILURE_PHRASES.test(reportText()) || FINAL_PHRASES.test(reportText()) || DELAY_PHRASES.test(reportText())
    || statusCodesIn(reportText()).some((c) => /^[45]/.test(c));
  // No From at all is no mail system by itself (broken clients write such mail too); with a
  // returned message or a report structure it is.
  if (mailSystem || (noSender && (returnedPart || reportType !== null))) {
    if (bounceSubject || returnedPart || reportType !== null || bounceText()) return proseBounce(bounceSubject);
  } else if (noreply && (returnedPart || quotedHeaders()) && !automaticForward(subject) && bounceText()) {
    // A noreply address returning a mail with failure wording is a mail system by another name.
    return proseBounce(bounceSubject);
  }
  if (postmaster && mail.text.trim() === '' && mail.attachments.length === 0) {
    // A postmaster (a human role) who wrote nothing readable: nothing an agent could act upon.
    signals.push('no text');
    return verdict('auto-generated');
  }

  // 5. Our own mail come back.
  if (senders.some((a) => own.has(a))) signals.push('from our own address');
  if (mail.messageId !== null && messageIdDomain(mail.messageId) === ourDomain) signals.push('our message-id');
  if (mail.headers['x-slagate-loop']) signals.push('x-slagate-loop header');
  if (signals.some((s) => s === 'from our own address' || s === 'our message-id' || s === 'x-slagate-loop header')) return verdict('loop');

  // 6. Automatic answers, and challenge-response among them.
  const autoReplySubject = AUTO_REPLY_SUBJECTS.some((p) => p.test(subject));
  if (autoReplySubject) signals.push('auto-reply subject');
  if ((autoReplyHeader || automatic || nullReturnPath) && CHALLENGE.test(`${subject}\n${mail.text.slice(0, 4000)}`)) {
    signals.push('challenge wording');
    return verdict('challenge-response');
  }
  if (autoReplyHeader || autoReplySubject) return verdict('auto-reply');

  // 7. Lists, newsletters and bulk mail.
  if (isList || isNewsletter) {
    const allowed = allowedListOf(mail, listId, ctx.allowedLists);
    if (allowed !== null) {
      signals.push(`allowed list ${allowed}`);
      return verdict('person', { allowedList: allowed });
    }
    return verdict(isList ? 'list' : 'bulk');
  }
  if (bulkPrecedence && (noreply || automatic || nullReturnPath)) return verdict('bulk');
  if (noreply && (automatic || nullReturnPath || listIdRaw !== null || bulkPrecedence)) return verdict('noreply');
  if (automatic || nullReturnPath || daemon) return verdict('auto-generated');
  // A list manager's notice quoting the mail it refused (fml, ezmlm "not a member", loop alerts).
  if (senders.some((a) => LIST_ROLE.test(localPart(a))) && !automaticForward(subject) && quotedHeaders()) {
    signals.push('list manager sender', 'quoted mail headers');
    return verdict('auto-generated');
  }

  // 8. A person. Weak hints (Precedence alone, a malformed List-Id, a postmaster) stop only the
  // acknowledgement, as RFC 3834 asks; a noreply address alone is often a forum or CRM relaying
  // a person's words and changes nothing.
  const weak = signals.filter((s) => s !== 'noreply sender');
  return verdict('person', { acknowledge: weak.length === 0 });

  function proseBounce(bounceSubject: boolean): MachineVerdict {
    if (bounceSubject) signals.push('bounce subject');
    const codes = statusCodesIn(reportText()).filter((c) => /^[45]/.test(c));
    if (codes.length > 0) signals.push(`status ${codes.slice(0, 3).join(', ')}`);
    if (returnedPart) signals.push('returned message part');
    else if (quotedHeaders()) signals.push('quoted mail headers');
    const failed = mail.deliveryReport?.recipients.length
      ? mail.deliveryReport.recipients.filter((r) => MAIL_ADDRESS.test(r.address)).map((r) => dsnRecipient(r.address, r.status))
      : failedRecipientsInText(mail.text, own);
    // Given up is a failure even when the last attempt was only deferred (qmail: "I've given up").
    const final = /^returned mail\b/.test(subject) || FINAL_PHRASES.test(reportText());
    const delayed = DELAY_SUBJECTS.some((p) => p.test(subject)) || (DELAY_PHRASES.test(reportText()) && !FAILURE_PHRASES.test(reportText()));
    if (delayed && !final) {
      signals.push('delay wording');
      return verdict('delivery-delayed', { reportedMessageId: reported() });
    }
    return verdict('delivery-failure', { failed, reportedMessageId: reported() });
  }
}

/** A subject a person's client writes when forwarding or answering: Fwd:, FW:, İLT:, TR:, WG:, RV:, YNT:, Re:. */
function automaticForward(foldedSubject: string): boolean {
  return /^(fwd?|fw|ilt|tr|wg|rv|ynt|re|aw|sv|vs)\s*:/.test(foldedSubject);
}

function dsnRecipient(address: string, rawStatus: string | null): FailedRecipient {
  // "5.1.1 (Remote SMTP server has rejected address)": the code is the first token.
  const status = rawStatus === null ? null : (/\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(rawStatus)?.[0] ?? null);
  return { address, status, permanent: status !== null && status.startsWith('5.') };
}

/**
 * The Message-ID of the mail a report is about: the returned headers' first, else one of ours
 * quoted in the report's text (prose bounces copy the returned mail below their own words).
 */
function reportedMessageId(mail: ParsedMail, ourDomain: string): string | null {
  const returned = mail.deliveryReport?.originalMessageId ?? mail.returnedMessageIds[0] ?? null;
  if (returned !== null) return returned;
  const quoted = [...mail.text.matchAll(QUOTED_MESSAGE_ID)].map((m) => m[1]!);
  return quoted.find((id) => messageIdDomain(id) === ourDomain) ?? quoted[0] ?? null;
}

function allowedListOf(mail: ParsedMail, listId: string | null, allowed: string[]): string | null {
  if (allowed.length === 0) return null;
  const wanted = new Set(allowed.map((a) => asciiLowerAddress(a).replace(/^<|>$/g, '')));
  if (listId !== null && wanted.has(listId)) return listId;
  // List-Post: <mailto:list@host> (RFC 2369), and the list's address in To or Cc.
  const post = /<mailto:([^>?]+)/i.exec(mail.headers['list-post']?.[0] ?? '')?.[1];
  const candidates = [post, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)];
  for (const c of candidates) if (c && wanted.has(asciiLowerAddress(c))) return asciiLowerAddress(c);
  return null;
}

/** The first value of a header, its first `;`-separated token, trimmed and ASCII-lowercased. */
function headerToken(mail: ParsedMail, name: string): string | null {
  const value = mail.headers[name]?.[0];
  if (value === undefined) return null;
  return asciiLowerAddress((value.split(';')[0] ?? '').replace(/\(.*$/, ''));
}

function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at);
}

export function messageIdDomain(messageId: string): string {
  const inner = messageId.trim().replace(/^<|>$/g, '');
  const at = inner.lastIndexOf('@');
  return at < 0 ? '' : asciiLowerAddress(inner.slice(at + 1));
}
