/**
 * Has the management mailbox read before a support pass hands its mail over, when one process
 * reads both over IMAP. A Bcc to management leaves no trace in the support copy: read first, that
 * copy would open a team ticket with the complaint; read after, it finds the private ticket the
 * management copy opened and joins it (issue 20). So when both copies are in their mailboxes by
 * the time the support pass lists its new mail (a restart after downtime, a backlog, a slow pass),
 * the management copy is ingested first. A management copy delivered after that listing is not
 * waited for: nothing in the support copy says one will come.
 *
 * Each wait is bounded (`waitMs`): an unreachable or stuck management mailbox delays support mail
 * by at most that, never stops it. While the management session is down or another instance holds
 * its lease there is nothing to wait for.
 */
export interface ManagementFirst {
  /** The management session is ready: `pass` has it read its folder (or joins the pass running) and settles when done. */
  ready(this: void, pass: () => Promise<void>): void;
  /** The management session ended (a reconnect, a lease lost). */
  lost(this: void): void;
  /** This process does not read management now: another instance holds its lease. */
  standby(this: void): void;
  /** Called by a support pass that listed new mail, before it hands any over. Never rejects. */
  beforeSupport(this: void): Promise<void>;
}

export function createManagementFirst(options: { waitMs: number }): ManagementFirst {
  let pass: (() => Promise<void>) | null = null;
  // Until the management worker has had a first session (or stood by), a support pass waits for
  // it: at start-up both mailboxes are read at once, and the backlog is when both copies are there.
  let decided = false;
  let onDecided: (() => void)[] = [];
  const decide = () => {
    decided = true;
    for (const wake of onDecided.splice(0)) wake();
  };

  return {
    ready(p) {
      pass = p;
      decide();
    },
    lost() { pass = null; },
    standby() {
      pass = null;
      decide();
    },
    async beforeSupport() {
      const deadline = Date.now() + options.waitMs;
      if (!decided) {
        await within(options.waitMs, new Promise<void>((resolve) => { onDecided.push(resolve); }));
        // Waited once, at start-up: a management mailbox that cannot be reached does not hold up every pass.
        if (!decided) {
          onDecided = [];
          decided = true;
        }
      }
      const run = pass;
      if (run) await within(deadline - Date.now(), run().catch(() => undefined));
    },
  };
}

/** `work`, or `ms` elapsed, whichever is first (the work goes on; only the waiting stops). */
async function within(ms: number, work: Promise<void>): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
