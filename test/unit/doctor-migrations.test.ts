import { describe, expect, it } from 'vitest';
import { compareMigrations, shippedMigrations } from '../../src/doctor/check-database.js';

const shipped = [
  { tag: '0000_init', when: 100, hash: 'aaa' },
  { tag: '0001_more', when: 200, hash: 'bbb' },
];

describe('comparing applied migrations with the shipped journal', () => {
  it.each([
    { applied: [{ createdAt: 100, hash: 'aaa' }, { createdAt: 200, hash: 'bbb' }], ok: true, says: 'all 2 migrations applied, none pending' },
    { applied: null, ok: false, says: 'no migrations applied (the schema is missing) — run slagate migrate' },
    { applied: [], ok: false, says: 'no migrations applied' },
    { applied: [{ createdAt: 100, hash: 'aaa' }], ok: false, says: '1 of 2 migrations not applied (0001_more) — run slagate migrate' },
    { applied: [{ createdAt: 100, hash: 'aaa' }, { createdAt: 200, hash: 'bbb' }, { createdAt: 300, hash: 'ccc' }], ok: false, says: 'a newer version migrated it' },
    { applied: [{ createdAt: 100, hash: 'aaa' }, { createdAt: 200, hash: 'edited' }], ok: false, says: 'migration file(s) 0001_more changed after they were applied' },
  ])('$says', ({ applied, ok, says }) => {
    const check = compareMigrations(applied, shipped, false);
    expect(check.ok).toBe(ok);
    expect(check.detail).toContain(says);
  });

  it('tells an embedded database user that it migrates itself, not to run migrate', () => {
    expect(compareMigrations([{ createdAt: 100, hash: 'aaa' }], shipped, true).detail).toContain('migrates itself');
  });

  it('reads the committed journal with the hashes drizzle records', () => {
    const mine = shippedMigrations();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ tag: '0000_init', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
