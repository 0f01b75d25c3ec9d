import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  return { stream, text: () => text };
}

async function sla(args: string[], input?: string) {
  const out = sink();
  const err = sink();
  const code = await main(['node', 'slagate', 'sla', ...args], {
    out: out.stream, err: err.stream, in: input === undefined ? undefined : Readable.from([input]),
  });
  return { code, out: out.text(), err: err.text() };
}

describe('slagate sla', () => {
  it('prints the deadlines as JSON with the calendar offset', async () => {
    const r = await sla(['--priority', 'medium', '--received', '2026-03-13T17:30:00+03:00', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      priority: 'medium', calendar: 'business',
      firstResponseDue: '2026-03-16T12:30:00.000+03:00',
      // 4320 min from arrival (no --qualified): Fri 30, Mon-Wed 3 x 540, Thu 19 Mar half day 240,
      // Bayram 20-22 Mar, Mon-Thu 4 x 540, then 270 on Fri 27 Mar.
      resolutionDue: '2026-03-27T13:30:00.000+03:00',
    });
  });

  it('counts resolution from --qualified and reads times without an offset in the calendar zone', async () => {
    const r = await sla(['--priority', 'high', '--received', '2026-04-06T08:00', '--qualified', '2026-04-06T10:00:00Z', '--json']);
    expect(JSON.parse(r.out)).toEqual({
      priority: 'high', calendar: 'business',
      firstResponseDue: '2026-04-06T11:00:00.000+03:00',
      // Qualified 13:00 local: 5 h Monday, 7 h Tuesday.
      resolutionDue: '2026-04-07T16:00:00.000+03:00',
    });
  });

  it('gives low priority no resolution deadline and critical a 24/7 one', async () => {
    expect(JSON.parse((await sla(['--priority', 'low', '--received', '2026-03-16T09:00:00+03:00', '--json'])).out))
      .toMatchObject({ resolutionDue: null, firstResponseDue: '2026-03-16T17:00:00.000+03:00' });
    expect(JSON.parse((await sla(['--priority', 'critical', '--received', '2026-03-21T23:30:00+03:00', '--json'])).out))
      .toMatchObject({ calendar: '24x7', firstResponseDue: '2026-03-22T00:30:00.000+03:00', resolutionDue: '2026-03-22T06:30:00.000+03:00' });
  });

  it('explains itself without --json', async () => {
    const r = await sla(['--priority', 'medium', '--received', '2026-03-13T17:30:00+03:00']);
    expect(r.out).toContain('first response: received Fri 2026-03-13 17:30 (+03:00); counted from 17:30');
    expect(r.out).toContain('due Mon 2026-03-16 12:30');
  });

  it('refuses a bad priority with exit 65 and a missing argument with 64', async () => {
    const bad = await sla(['--priority', 'urgentest', '--received', '2026-03-13T17:30:00+03:00', '--json']);
    expect(bad).toMatchObject({ code: 65, out: '' });
    expect(bad.err).toMatch(/priority must be one of critical, high, medium, low/);
    expect((await sla(['--priority', 'medium'])).code).toBe(64);
  });

  it('answers one JSON line per request line, in order, and exits 65 after a bad line', async () => {
    const input = [
      '{"priority":"medium","received":"2026-03-13T17:30:00+03:00"}',
      'not json',
      '{"priority":"high","received":"2026-04-06T08:00:00+03:00","qualified":"2026-04-06T13:00:00+03:00"}',
      '{"priority":"medium","received":"yesterday"}',
    ].join('\n');
    const r = await sla(['--stdin'], input);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ firstResponseDue: '2026-03-16T12:30:00.000+03:00' });
    expect(lines[1]).toEqual({ error: expect.stringMatching(/not a JSON request/) });
    expect(lines[2]).toMatchObject({ resolutionDue: '2026-04-07T16:00:00.000+03:00' });
    expect(lines[3]).toEqual({ error: expect.stringMatching(/received must be an ISO 8601 instant/) });
    expect(r.code).toBe(65);
  });

  it('streams 100k requests quickly', async () => {
    const line = '{"priority":"medium","received":"2026-03-13T17:30:00+03:00","qualified":"2026-03-16T10:00:00+03:00"}\n';
    const input = new PassThrough();
    const out = sink();
    const started = performance.now();
    const done = main(['node', 'slagate', 'sla', '--stdin'], { out: out.stream, err: sink().stream, in: input });
    for (let i = 0; i < 100; i++) input.write(line.repeat(1000));
    input.end();
    expect(await done).toBe(0);
    expect(out.text().split('\n')).toHaveLength(100_001);
    // A generous bound for two shared cores; the point is "seconds, not minutes".
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
