import type { DoctorCheck } from '../doctor/doctor-check.js';
import type { RegisterCommand } from './context.js';
import { progressWriter } from './progress.js';

/** `slagate doctor`: checks config, database, IMAP and SMTP, and says what is wrong in plain words. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('doctor')
    .description('check the configuration, database, IMAP mailboxes and SMTP; exit 0 when all pass, 1 otherwise')
    .action(async () => {
      const { runDoctor } = await import('../doctor/run-doctor.js');
      const { verifyImapMailbox } = await import('../imap/verify-mailbox.js');
      const { verifySmtp } = await import('../smtp/verify-smtp.js');
      const { createLogger } = await import('../logger.js');
      const progress = progressWriter(ctx.err);
      const report = await runDoctor({
        // Doctor explains every failure itself; library logs would only repeat them less clearly.
        loadConfig: () => ctx.config(), probes: { verifyImapMailbox, verifySmtp }, logger: createLogger({ level: 'silent' }),
        onStart: (what) => progress(what),
        onCheck: (check) => {
          progress(null);
          ctx.out.write(formatCheck(check));
        },
      });
      progress(null);
      ctx.out.write(report.ok ? 'all checks passed\n' : `${report.checks.filter((c) => !c.ok).length} check(s) failed\n`);
      ctx.exitCode = report.ok ? 0 : 1;
    });
};

function formatCheck(c: DoctorCheck): string {
  const [first, ...more] = c.detail.split('\n');
  return [`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${first}`, ...more.map((l) => `        ${l}`)].join('\n') + '\n';
}
