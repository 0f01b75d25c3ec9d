#!/usr/bin/env node
// Fails when the schema in src/db/schema has changes that no committed migration carries:
// drizzle-kit generate, run against a copy of migrations/, must produce nothing new.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';

// drizzle-kit only takes an --out relative to the project (it prefixes './'), so work under .tmp/.
mkdirSync('.tmp', { recursive: true });
const dir = mkdtempSync('.tmp/drift-');
try {
  cpSync('migrations', dir, { recursive: true });
  const before = readdirSync(dir).sort().join('\n');
  const out = execFileSync('npx', ['drizzle-kit', 'generate', '--dialect', 'postgresql', '--schema', './src/db/schema/*.ts', '--out', dir], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const after = readdirSync(dir).sort().join('\n');
  // drizzle-kit can exit 0 after an error: only its own "nothing to do" line counts as a pass.
  if (!/No schema changes/i.test(out)) {
    console.error(`drizzle-kit generate did not confirm the schema is unchanged:\n${out}`);
    process.exit(1);
  }
  if (before !== after) {
    console.error('The schema changed without a migration. Run `npm run db:generate` and commit the result.\n');
    console.error(out);
    process.exit(1);
  }
  console.log('migrations match the schema');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
