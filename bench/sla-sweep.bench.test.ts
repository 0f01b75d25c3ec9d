import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingNotify, sweepSla } from '../src/app/jobs/sweep-sla.js';
import type { Config } from '../src/config.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';
import { testConfig } from '../test/helpers/test-config.js';
import { recordSection, type BenchFigure } from './support/benchmarks-file.js';

/**
 * One sweep tick against 1k, 10k and 100k open tickets. Each measured tick finds DUE tickets whose
 * three first-response steps are all overdue (so it fires 3 x DUE steps); the other tickets wait
 * for a future threshold. The tick should cost the same at every size: the claim is a range scan
 * on the partial index, never a scan of open tickets.
 */
const SIZES = [1_000, 10_000, 100_000];
const DUE = 50; // tickets due per tick
const TARGET_MS = 50;
const TICKS = 15;
// Unmeasured ticks first at each size: the first size would otherwise also time JIT warm-up and
// cold statement caches, and look slower than the larger ones (53.8 ms at 1k vs 34-37 ms later).
// 18 ticks of 50 due still fit in the 1k tickets.
const WARMUP_TICKS = 3;
const NOW = new Date('2026-03-18T12:00:00+03:00');

let database: TestDatabase;
let config: Config;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  config = testConfig(database.url);
});
afterAll(async () => { await database.drop(); });

async function seedUpTo(total: number, have: number): Promise<void> {
  // Received Monday 09:00, next look some time in the next month: open, not yet due.
  await database.db.execute(sql`
    insert into tickets (number, mailbox, type, type_source, priority, priority_reason, requester_address, subject,
      received_at, next_sla_at)
    select 'SR-B' || g, 'support', 'problem', 'tag', 'medium', 'tag', 'c' || (g % 500) || '@example.com', 'bench',
      '2026-03-16T09:00:00+03:00', ${NOW.toISOString()}::timestamptz + (1 + g % 43200) * interval '1 minute'
    from generate_series(${have + 1}::int, ${total}::int) g`);
  await database.db.execute(sql`analyze tickets`);
}

async function makeDue(n: number): Promise<void> {
  await database.db.execute(sql`update tickets set next_sla_at = ${NOW.toISOString()}::timestamptz - interval '1 minute'
    where id in (select id from tickets where next_sla_at > ${NOW.toISOString()}::timestamptz order by random() limit ${n})`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('sla sweep tick', () => {
  it('costs the same at 1k, 10k and 100k open tickets', async () => {
    const deps = {
      db: database.db, policy: config.policy, config, clock: () => NOW, logger: pino({ level: 'silent' }), notify: recordingNotify(),
    };
    const lines: string[] = [];
    const figures: BenchFigure[] = [];
    let have = 0;
    for (const size of SIZES) {
      await seedUpTo(size, have);
      have = size;
      for (let i = 0; i < WARMUP_TICKS; i++) {
        await makeDue(DUE);
        expect(await sweepSla(deps, { limit: 200 })).toEqual({ claimed: DUE, fired: 3 * DUE });
        await sweepSla(deps, { limit: 200 });
      }
      const busy: number[] = [];
      const idle: number[] = [];
      for (let i = 0; i < TICKS; i++) {
        await makeDue(DUE);
        let t0 = performance.now();
        const result = await sweepSla(deps, { limit: 200 });
        busy.push(performance.now() - t0);
        expect(result).toEqual({ claimed: DUE, fired: 3 * DUE });
        t0 = performance.now();
        await sweepSla(deps, { limit: 200 });
        idle.push(performance.now() - t0);
      }
      lines.push(`${String(size).padStart(7)} open tickets: tick with ${DUE} due (${3 * DUE} steps) median ${median(busy).toFixed(1)} ms; ` +
        `idle tick median ${median(idle).toFixed(1)} ms`);
      figures.push({
        what: `${size.toLocaleString('en')} open tickets: tick with ${DUE} due (${3 * DUE} steps), median of ${TICKS}`,
        value: `${median(busy).toFixed(1)} ms (idle tick ${median(idle).toFixed(1)} ms)`,
        target: `< ${TARGET_MS} ms, flat`, met: median(busy) < TARGET_MS,
      });
    }
    // The claim must stay a range scan on the partial index at the largest size.
    const plan = await database.db.execute(sql`explain select id from tickets
      where next_sla_at is not null and next_sla_at <= ${NOW.toISOString()}::timestamptz
      order by next_sla_at limit 200 for update skip locked`);
    const planText = [...(plan as Record<string, string>[])].map((r) => Object.values(r)[0]).join('\n');
    lines.push(`claim plan at ${have}: ${planText.split('\n').map((l) => l.trim()).join(' | ')}`);
    expect(planText).toContain('tickets_next_sla');
    console.log(`\nsla sweep (target < 50 ms, flat across sizes)\n${lines.join('\n')}\n`);
    await recordSection({
      name: 'sla-sweep',
      title: 'One SLA sweeper tick at 1k, 10k and 100k open tickets',
      command: 'npx vitest run -c vitest.bench.config.ts bench/sla-sweep.bench.test.ts',
      figures,
      notes: [
        `${WARMUP_TICKS} unmeasured warm-up ticks at each size, then ${TICKS} measured ones. Each measured tick finds ${DUE} due tickets whose three first-response steps are all overdue; the other open tickets wait for a later threshold.`,
        `Claim plan at ${have.toLocaleString('en')} tickets: ${planText.split('\n').map((l) => l.trim()).join(' | ')}`,
      ],
    });
  });
});
