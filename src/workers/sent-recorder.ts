/** A sent mail to record: its outbox row, when the server took it, and each recipient's answer. */
export interface SentRecord { id: number; now: Date; recipients: Record<string, string> }

export interface SentRecorder {
  /** Resolves with whether the row was still this worker's to record (its lease held). */
  record(sent: SentRecord): Promise<boolean>;
}

/**
 * Records sent mails in as few statements as the sends allow, the way a database groups commits:
 * the first send to finish is written at once, and those that finish while that statement runs
 * are written together by the next. No mail waits for another to finish sending (the time between
 * the server's 250 and the record is the window in which a crash sends a mail twice), yet a pass
 * of four sends costs one or two statements instead of four, each a round trip of this thread.
 */
export function createSentRecorder(
  write: (batch: SentRecord[]) => Promise<Set<number>>,
  options: {
    /**
     * Whether a batch that failed with this error is worth writing again one row at a time: one
     * row the database refuses must not leave the others it was written with unrecorded (they
     * would be sent again once their lease runs out). Not for an unavailable database.
     */
    retryAlone?: (err: unknown) => boolean;
  } = {},
): SentRecorder {
  let waiting: { sent: SentRecord; resolve: (recorded: boolean) => void; reject: (err: unknown) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting;
        waiting = [];
        try {
          const recorded = await write(batch.map((w) => w.sent));
          for (const w of batch) w.resolve(recorded.has(w.sent.id));
        } catch (err) {
          if (batch.length === 1 || !options.retryAlone?.(err)) {
            for (const w of batch) w.reject(err);
            continue;
          }
          for (const w of batch) {
            try {
              w.resolve((await write([w.sent])).has(w.sent.id));
            } catch (alone) {
              w.reject(alone);
            }
          }
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    record(sent) {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ sent, resolve, reject });
        if (!writing) void drain();
      });
    },
  };
}
