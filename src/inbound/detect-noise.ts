import { classifyMachineMail, type MachineVerdict } from './machine-mail.js';
import type { ParsedMail } from './parsed-mail.js';

/**
 * How ingest routes a mail, from its machine-mail verdict. `bounce`: a delivery failure or a
 * feedback report (the report of one of our mails marks its outbox row); `auto-reply`: an
 * out-of-office, read receipt or challenge (kept on the ticket it answers, if any); `loop`: our own
 * mail back; `machine`: any other machine mail (recorded, no ticket); null: a person's mail.
 */
export type NoiseRoute = 'bounce' | 'auto-reply' | 'loop' | 'machine' | null;

/** What kind of machine mail this is, if any, and whether an automatic reply to it is allowed. */
export interface NoiseVerdict {
  kind: NoiseRoute;
  /** False whenever any signal applies (RFC 3834 §2). */
  acknowledge: boolean;
  /** Short stable phrases for the event log, e.g. `precedence: bulk`, `null return path`. */
  reasons: string[];
  /** The full verdict: its kind, failed recipients, the mail it reports on. */
  machine: MachineVerdict;
}

export interface OwnIdentity {
  /** Our mailbox addresses (support, management). */
  addresses: string[];
  /** The domain of the Message-IDs we generate. */
  messageIdDomain: string;
  /** policy.allowedLists: lists whose mail may become tickets. */
  allowedLists?: string[];
}

const ROUTES: Record<MachineVerdict['kind'], NoiseRoute> = {
  'delivery-failure': 'bounce',
  'feedback-report': 'bounce',
  'delivery-delayed': 'machine',
  'auto-reply': 'auto-reply',
  'challenge-response': 'auto-reply',
  list: 'machine',
  bulk: 'machine',
  noreply: 'machine',
  'auto-generated': 'machine',
  loop: 'loop',
  person: null,
};

/**
 * Recognises mail that must not be acknowledged and mail that is not a person writing (RFC 3834;
 * PITFALLS.md, "Mail semantics"): classifyMachineMail decides, this names the route.
 */
export function detectNoise(mail: ParsedMail, ours: OwnIdentity): NoiseVerdict {
  const machine = classifyMachineMail(mail, {
    ownAddresses: ours.addresses, messageIdDomain: ours.messageIdDomain, allowedLists: ours.allowedLists ?? [],
  });
  return { kind: ROUTES[machine.kind], acknowledge: machine.acknowledge, reasons: machine.signals, machine };
}

/** `delivery-failure (null return path; from mailer-daemon)`: the verdict as the event log and replay show it. */
export function describeVerdict(v: MachineVerdict): string {
  return `${v.kind} (${v.signals.join('; ') || 'no signal'})`;
}
