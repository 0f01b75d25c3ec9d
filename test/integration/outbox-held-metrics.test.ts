import { afterAll, beforeAll, expect, it } from 'vitest';
import { outboxDepth } from '../../src/db/repositories/gateway-status-repository.js';
import { enqueue } from '../../src/db/repositories/outbox-repository.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { outboundMail } from '../helpers/outbound-mail.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const MANAGEMENT = 'management@sanarise.example';

/**
 * Issue 25: with six mails held until business hours /metrics said `oldest_age_seconds 0`, as if
 * nothing waited. The oldest age stays about due mail (held mail is not late); held mail has its
 * own gauges.
 */
let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase({ poolMax: 2 }); });
afterAll(async () => { await database?.drop(); });

it('counts held mail and its age beside the due mail', async () => {
  const queuedAt = new Date('2026-03-14T22:00:00Z'); // Saturday night: staff mail waits for Monday
  const monday = new Date('2026-03-16T06:00:00Z');
  for (let i = 0; i < 6; i++) await enqueue(database.db, outboundMail('held', i), { now: queuedAt, notBefore: monday });
  await enqueue(database.db, outboundMail('due', 0), { now: new Date('2026-03-15T09:00:00Z') });
  const now = new Date('2026-03-15T10:00:00Z');

  expect(await outboxDepth(database.db, now, MANAGEMENT)).toEqual({ depth: 7, oldestAgeSeconds: 3600, held: 6, oldestHeldAgeSeconds: 12 * 3600 });

  const metrics = createMetrics({ outboxStats: () => outboxDepth(database.db, now, MANAGEMENT) });
  const text = await metrics.registry.metrics();
  expect(text).toContain('slagate_outbox_depth 7');
  expect(text).toContain('slagate_outbox_oldest_age_seconds 3600');
  expect(text).toContain('slagate_outbox_held 6');
  expect(text).toContain('slagate_outbox_oldest_held_age_seconds 43200');
});
