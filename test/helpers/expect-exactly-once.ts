import { expect } from 'vitest';
import type { ChaosLoopResult } from './chaos-crash-loop.js';

/**
 * The promise every chaos loop checks, written once: each mail is exactly one ticket, every
 * acknowledgement reached the sink, extra copies only where SMTP was ambiguous, the INBOX empty.
 */
export function expectExactlyOnce(r: ChaosLoopResult, mails: number): void {
  expect(r.lostMails).toEqual([]);
  expect(r.duplicatedMails).toBe(0);
  expect(r.tickets).toBe(mails);
  expect(r.acknowledgementsNotDelivered).toEqual([]);
  expect(r.smtpDuplicates).toBeLessThanOrEqual(r.ambiguousWindows);
  expect(r.inboxLeft).toBe(0);
}
