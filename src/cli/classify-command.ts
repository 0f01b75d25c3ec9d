import { Option } from 'commander';
import type { MailboxName } from '../policy/priorities.js';
import type { RegisterCommand } from './context.js';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('classify')
    .description('show how a subject (and optionally a body) would be classified')
    .requiredOption('-s, --subject <text>', 'the mail subject')
    .option('-b, --body <text>', 'the mail body, for the keyword fallback', '')
    .addOption(new Option('-m, --mailbox <mailbox>', 'the mailbox it arrives at').choices(['support', 'management']).default('support'))
    .option('--json', 'print JSON')
    .action(async (opts: { subject: string; body: string; mailbox: MailboxName; json?: boolean }) => {
      const config = ctx.config();
      const { classify } = await import('../inbound/classify.js');
      const c = classify({ subject: opts.subject, text: opts.body, mailbox: opts.mailbox }, config.policy, config.ticketPrefix);
      const result = {
        type: c.type,
        priority: c.priority,
        requestedPriority: c.requestedPriority,
        private: c.private,
        typeSource: c.typeSource,
        tags: {
          type: c.tags.type?.raw ?? null,
          priority: c.tags.priority?.raw ?? null,
          escalate: c.tags.escalate,
          threadToken: c.tags.threadToken,
          unknown: c.tags.unknown,
        },
        priorityReason: c.priorityReason,
      };
      if (opts.json) ctx.out.write(`${JSON.stringify(result)}\n`);
      else {
        ctx.out.write(`type:      ${result.type} (from ${result.typeSource})\n`);
        ctx.out.write(`priority:  ${result.priority}${result.requestedPriority ? ` (requested ${result.requestedPriority})` : ''}: ${result.priorityReason}\n`);
        ctx.out.write(`private:   ${result.private ? 'yes (management only)' : 'no'}\n`);
        if (result.tags.unknown.length) ctx.out.write(`other tags: ${result.tags.unknown.join(', ')}\n`);
      }
    });
};
