import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * A mail alone (an LMTP delivery, the pipe, a quiet IMAP mailbox) is a transaction of its own, and
 * on this kind of machine every round trip to PostgreSQL costs the gateway more CPU than the
 * statements in it (BENCHMARKS.md, mta-paths). Counted on the socket to the server.
 */
describe('round trips of a mail ingested alone', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  const now = new Date('2026-03-16T07:00:00Z');
  // A round trip starts with a write after the server's answer: writes in a row are one trip.
  let trips = 0;
  let answered = true;
  let counting = false;
  const { write, emit } = net.Socket.prototype;

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 1 });
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => now };
    const port = Number(new URL(database.url).port || 5432);
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      if (counting && this.remotePort === port && answered) {
        trips += 1;
        answered = false;
      }
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof write;
    // The server's answers reach the driver a little late, in order: whatever the gateway sends
    // without waiting for them (on this turn of the event loop or the next) goes out first, so a
    // write after an answer is one that had to wait for it, however fast the server was.
    net.Socket.prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
      const deliver = () => (emit as (e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
      if (!counting || event !== 'data' || this.remotePort !== port) return deliver();
      setTimeout(() => {
        answered = true;
        deliver();
      }, 2);
      return true;
    } as typeof emit;
  });
  afterAll(async () => {
    net.Socket.prototype.write = write;
    net.Socket.prototype.emit = emit;
    await database.drop();
  });

  async function roundTrips(from: string, subject: string): Promise<number> {
    trips = 0;
    answered = true;
    counting = true;
    try {
      const outcome = await ingestMessage(deps, { raw: buildMail({ from, subject }), mailbox: 'support', receivedAt: now, source: 'lmtp' });
      expect(outcome.decision).toBe('new-ticket');
    } finally {
      counting = false;
    }
    return trips;
  }

  it('opens a ticket in four: BEGIN with the raw mail, its lock, private-copy read, day count and stored language; the ticket with its gates; its message, mail and events; COMMIT', async () => {
    await roundTrips('Ali Veli <ali@musteri.example>', '[Soru] Isınma'); // the connection's statements prepared
    expect(await roundTrips('Ali Veli <ali@musteri.example>', '[Hata] Stok ekranı açılmıyor')).toBe(4);
  });
});
