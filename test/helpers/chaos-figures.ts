import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * Figures one chaos scenario hands to RELIABILITY.md. The full suite (`npm run chaos`) provides a
 * results folder and writes the document from it when the run ends; inside `npm test` nothing is
 * provided and the figures are only printed.
 */
export interface ChaosFigures {
  /** Section title in RELIABILITY.md, e.g. "Crash loop". */
  scenario: string;
  /** What was tried, one sentence. */
  tried: string;
  mails: number;
  /** Faults injected, by kind (e.g. `kill -9 after-staging`: 12). */
  faults: Record<string, number>;
  lost: number;
  duplicated: number;
  /** Acknowledgements delivered twice because the process died between the SMTP 250 and markSent. */
  ambiguousSmtpDuplicates?: number;
  /** Anything else worth a line (durations, decisions, quarantine reasons). */
  notes?: string[];
  durationMs: number;
}

export function recordChaosFigures(figures: ChaosFigures): void {
  console.log(`[chaos] ${figures.scenario}: ${JSON.stringify(figures)}`);
  let dir: string | undefined;
  try {
    dir = inject('chaosResultsDir' as never);
  } catch {
    dir = undefined;
  }
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = `${figures.scenario.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}.json`;
  writeFileSync(join(dir, file), `${JSON.stringify(figures, null, 2)}\n`);
}
