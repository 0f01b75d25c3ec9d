import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Policy } from '../policy/default-policy.js';
import { EXIT, type CliContext, type RegisterCommand } from './context.js';

interface SlaOptions {
  priority?: string;
  received?: string;
  qualified?: string;
  json?: boolean;
  stdin?: boolean;
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('sla')
    .description('compute first-response and resolution deadlines for a priority and arrival time')
    .option('--priority <priority>', 'critical | high | medium | low, or an alias (urgent, acil, p1, yüksek...)')
    .option('--received <iso>', 'when the mail arrived (ISO 8601; without an offset, in the calendar zone)')
    .option('--qualified <iso>', 'when qualification ended (resolution is counted from here, else from --received)')
    .option('--json', 'print one JSON object')
    .option('--stdin', 'read one JSON request per line ({"priority","received","qualified"}) and answer one JSON line each')
    .action(async (opts: SlaOptions) => {
      const policy = ctx.config().policy;
      const { answerSlaQuery: answerExactly } = await import('../sla/answer-sla-query.js');
      const { priorityNamed } = await import('../inbound/subject-tags.js');
      // A priority may be given by any of its aliases (urgent, acil, p1, kritik...), as in subjects.
      const answerSlaQuery: Answer = (q, p) => answerExactly(
        { ...q, priority: typeof q.priority === 'string' ? priorityNamed(q.priority, p) ?? q.priority : q.priority }, p);
      if (opts.stdin) {
        await answerStream(ctx, policy, answerSlaQuery);
        return;
      }
      if (!opts.priority || !opts.received) {
        ctx.err.write('slagate sla: --priority and --received are required (or --stdin)\n');
        ctx.exitCode = EXIT.USAGE;
        return;
      }
      const result = answerSlaQuery({ priority: opts.priority, received: opts.received, qualified: opts.qualified }, policy);
      if (!result.ok) {
        ctx.err.write(`slagate sla: ${result.error}\n`);
        ctx.exitCode = EXIT.DATAERR;
        return;
      }
      if (opts.json) {
        ctx.out.write(`${JSON.stringify(result.answer)}\n`);
        return;
      }
      const { explainQuery } = await import('../sla/explain-query.js');
      ctx.out.write(explainQuery(result.answer.priority, result.received, result.qualified, policy));
    });
};

type Answer = typeof import('../sla/answer-sla-query.js').answerSlaQuery;

/** Streams answers in input order; output is written in chunks and waits when the reader is slow. */
async function answerStream(ctx: CliContext, policy: Policy, answer: Answer): Promise<void> {
  const lines = createInterface({ input: ctx.in ?? process.stdin, crlfDelay: Infinity });
  let chunk = '';
  let bad = 0;
  const flush = async () => {
    if (!chunk) return;
    const ok = ctx.out.write(chunk);
    chunk = '';
    if (!ok) await once(ctx.out, 'drain');
  };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let reply: string;
    try {
      const req = JSON.parse(line) as unknown;
      if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new Error('expected a JSON object');
      const result = answer(req as { priority: unknown; received: unknown; qualified?: unknown }, policy);
      if (result.ok) reply = JSON.stringify(result.answer);
      else {
        bad++;
        reply = JSON.stringify({ error: result.error });
      }
    } catch (err) {
      bad++;
      reply = JSON.stringify({ error: `not a JSON request: ${(err as Error).message}` });
    }
    chunk += `${reply}\n`;
    if (chunk.length > 65_536) await flush();
  }
  await flush();
  if (bad > 0) ctx.exitCode = EXIT.DATAERR;
}
