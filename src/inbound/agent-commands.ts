import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { caseFold } from './case-fold.js';
import { aliasLookup } from './subject-tags.js';

export type CommandStatus = 'open' | 'waiting' | 'resolved' | 'closed';

/** One command from the top of an agent's reply; the grammar is closed. */
export type AgentCommand =
  | { kind: 'status'; status: CommandStatus }
  | { kind: 'priority'; priority: Priority }
  | { kind: 'type'; type: string }
  /** `agent` exactly as written: an address or a name token, resolved against staff later. */
  | { kind: 'assign'; agent: string }
  | { kind: 'qualified' }
  /** The reply is an internal note: it is not sent to the client. */
  | { kind: 'note' }
  | { kind: 'escalate' }
  /** A manager hands a private ticket's mail to the team as a new team ticket. */
  | { kind: 'team' }
  /** `#cc add|remove ADDRESS` (`#bilgi ekle|çıkar`): who else receives the replies sent to the client. */
  | { kind: 'cc'; action: 'add' | 'remove'; address: string }
  /** `#dil tr|en` (`#lang`): the language every mail to the ticket's client is written in from now on. */
  | { kind: 'language'; language: 'tr' | 'en' }
  /**
   * `#sla pause REASON` / `#sla resume` / `#sla extend first-response|resolution DURATION REASON`
   * (`#sla duraklat|devam|uzat`): a lead's or manager's adjustment of the clocks, always with a
   * reason so the special-circumstances review and the reports can say why.
   */
  | { kind: 'sla'; action: 'pause'; reason: string }
  | { kind: 'sla'; action: 'resume' }
  | { kind: 'sla'; action: 'extend'; clock: SlaTarget; minutes: number; reason: string };

/** The targets an `#sla extend` can move. */
export type SlaTarget = 'first-response' | 'resolution';

export interface CommandError {
  line: string;
  reason: string;
}

export interface ParsedCommands {
  commands: AgentCommand[];
  /**
   * Each command's line as the agent typed it (`#not`, `#öncelik yüksek`), index for index with
   * `commands`: the confirmation echoes the agent's own words, not the English canonical form.
   */
  written: string[];
  errors: CommandError[];
  /** The reply after the command block, blank lines trimmed at the ends. */
  rest: string;
}

type Verb = AgentCommand['kind'];

// Folded verbs, English and Turkish (`#öncelik` folds to `oncelik`, `#tür` to `tur`).
const VERBS: Record<string, Verb> = {
  status: 'status', durum: 'status',
  priority: 'priority', oncelik: 'priority',
  type: 'type', tur: 'type', tip: 'type',
  assign: 'assign', ata: 'assign',
  qualified: 'qualified', nitelendirildi: 'qualified',
  note: 'note', not: 'note',
  escalate: 'escalate', yukselt: 'escalate',
  team: 'team', ekip: 'team',
  cc: 'cc', bilgi: 'cc',
  sla: 'sla',
  dil: 'language', lang: 'language', language: 'language',
};

// Folded: `Türkçe` folds to `turkce`, `İngilizce` to `ingilizce`.
const LANGUAGES: Record<string, 'tr' | 'en'> = {
  tr: 'tr', turkce: 'tr', turkish: 'tr',
  en: 'en', ingilizce: 'en', english: 'en',
};

const SLA_ACTIONS: Record<string, 'pause' | 'resume' | 'extend'> = {
  pause: 'pause', duraklat: 'pause',
  resume: 'resume', devam: 'resume',
  extend: 'extend', uzat: 'extend',
};

// Folded: hyphens become spaces, `ilk-yanıt` folds to `ilk yanit`, `çözüm` to `cozum`.
const SLA_TARGETS: Record<string, SlaTarget> = {
  'first response': 'first-response', 'ilk yanit': 'first-response', response: 'first-response', yanit: 'first-response',
  resolution: 'resolution', cozum: 'resolution',
};

/**
 * A duration in working time: `90m`, `4h`, `2d` (`dk`, `sa`, `g` in Turkish). A working day is
 * taken as 8 working hours: the extension is added to the target, which counts working minutes.
 */
export function parseWorkingDuration(written: string): number | null {
  // Digits first, as written: caseFold turns a hyphen into a space, so `-2h` would read as 2 hours.
  if (!/^\d/.test(written)) return null;
  const m = /^(\d{1,4})\s*(m|min|dk|h|sa|d|g)$/.exec(caseFold(written));
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!;
  const minutes = unit === 'm' || unit === 'min' || unit === 'dk' ? n : unit === 'h' || unit === 'sa' ? n * 60 : n * 8 * 60;
  return minutes > 0 ? minutes : null;
}

const CC_ACTIONS: Record<string, 'add' | 'remove'> = {
  add: 'add', ekle: 'add',
  remove: 'remove', cikar: 'remove', sil: 'remove', kaldir: 'remove',
};

const ADDRESS = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+$/;

const STATUSES: Record<string, CommandStatus> = {
  open: 'open', acik: 'open',
  waiting: 'waiting', beklemede: 'waiting',
  resolved: 'resolved', cozuldu: 'resolved',
  closed: 'closed', kapali: 'closed',
};

// `#` then a word of letters; `#1`, `# Heading` and `#SR-1042 is related` are prose, not commands.
const COMMAND_LINE = /^#(\p{L}+):?(?:\s+(.*))?$/u;

/**
 * Reads the commands at the top of an agent's reply (the output of `extractNewText`): whole
 * `#verb argument` lines, blank lines allowed between, ended by the first other line. A `#` line
 * that is not a valid command is reported as an error, never silently dropped.
 */
export function parseAgentCommands(body: string, policy: Policy): ParsedCommands {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const commands: AgentCommand[] = [];
  const written: string[] = [];
  const errors: CommandError[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const m = COMMAND_LINE.exec(line);
    if (!m) break;
    const parsed = parseCommand(caseFold(m[1] ?? ''), m[1] ?? '', (m[2] ?? '').trim(), policy);
    if ('reason' in parsed) {
      errors.push({ line, reason: parsed.reason });
      continue;
    }
    commands.push(parsed.command);
    // `#not Called the client`: the echo is the command word, the rest is the note itself.
    written.push(parsed.text ? `#${m[1]}` : line);
    if (parsed.text) {
      // `#note Called the client` : the words after #note are the note itself, so the block ends.
      lines[i] = parsed.text;
      break;
    }
  }
  return { commands, written, errors, rest: trimBlankLines(lines.slice(i)).join('\n') };
}

type Parsed = { command: AgentCommand; text?: string } | { reason: string };

// Messages name the verb as the agent wrote it (`#öncelik`, not its folded `#oncelik`).
function parseCommand(verbFolded: string, verbWritten: string, arg: string, policy: Policy): Parsed {
  const verb = VERBS[verbFolded];
  if (!verb) return { reason: `unknown command #${verbWritten}` };
  const value = caseFold(arg);
  switch (verb) {
    case 'status': {
      if (value === '') return { reason: 'missing status (open, waiting, resolved or closed)' };
      const status = STATUSES[value];
      return status ? { command: { kind: 'status', status } } : { reason: `unknown status "${arg}"` };
    }
    case 'priority': {
      if (value === '') return { reason: 'missing priority' };
      const priority = aliasLookup(policy).priorities.get(value);
      return priority ? { command: { kind: 'priority', priority } } : { reason: `unknown priority "${arg}"` };
    }
    case 'type': {
      if (value === '') return { reason: 'missing type' };
      const type = aliasLookup(policy).types.get(value);
      return type ? { command: { kind: 'type', type } } : { reason: `unknown type "${arg}"` };
    }
    case 'assign': {
      if (arg === '') return { reason: 'missing agent (an address or a name)' };
      if (/\s/.test(arg)) return { reason: `expected one agent (an address or a name), got "${arg}"` };
      return { command: { kind: 'assign', agent: arg } };
    }
    case 'note':
      return { command: { kind: 'note' }, ...(arg === '' ? {} : { text: arg }) };
    case 'cc': {
      const [word = '', written = '', ...more] = arg.split(/\s+/).filter((w) => w !== '');
      const action = CC_ACTIONS[caseFold(word)];
      if (!action) return { reason: `expected #${verbWritten} add ADDRESS or #${verbWritten} remove ADDRESS (ekle / çıkar), got "${arg}"` };
      const address = written.replace(/^<|>$/g, '').replace(/[A-Z]+/g, (m) => m.toLowerCase());
      if (!ADDRESS.test(address) || more.length > 0) return { reason: `expected one mail address after "${word}", got "${arg.slice(word.length).trim()}"` };
      return { command: { kind: 'cc', action, address } };
    }
    case 'sla':
      return parseSla(verbWritten, arg);
    case 'language': {
      if (value === '') return { reason: `missing language (#${verbWritten} tr or #${verbWritten} en)` };
      const language = LANGUAGES[value];
      return language ? { command: { kind: 'language', language } } : { reason: `unknown language "${arg}" (tr or en)` };
    }
    case 'qualified':
    case 'escalate':
    case 'team':
      return arg === '' ? { command: { kind: verb } } : { reason: `#${verbWritten} takes no argument, got "${arg}"` };
  }
}

function parseSla(verbWritten: string, arg: string): Parsed {
  const usage = `expected #${verbWritten} pause REASON, #${verbWritten} resume or #${verbWritten} extend first-response|resolution DURATION REASON (duraklat / devam / uzat)`;
  const [word = '', ...more] = arg.split(/\s+/).filter((w) => w !== '');
  const action = SLA_ACTIONS[caseFold(word)];
  if (!action) return { reason: `${usage}, got "${arg}"` };
  if (action === 'resume') return more.length === 0 ? { command: { kind: 'sla', action } } : { reason: `#${verbWritten} ${word} takes no argument` };
  if (action === 'pause') {
    const reason = more.join(' ');
    return reason === '' ? { reason: `#${verbWritten} ${word} needs a reason` } : { command: { kind: 'sla', action, reason } };
  }
  const [target = '', duration = '', ...why] = more;
  const clock = SLA_TARGETS[caseFold(target)];
  if (!clock) return { reason: `expected first-response or resolution (ilk-yanıt / çözüm) after "${word}", got "${target}"` };
  const minutes = parseWorkingDuration(duration);
  if (minutes === null) return { reason: `expected a duration like 90m, 4h or 2d (dk, sa, g) after "${target}", got "${duration}"` };
  const reason = why.join(' ');
  if (reason === '') return { reason: `#${verbWritten} ${word} needs a reason after the duration` };
  return { command: { kind: 'sla', action, clock, minutes, reason } };
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(start, end);
}
