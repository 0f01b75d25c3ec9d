// No folder of src/ holds more than 25 source files directly (ARCHITECTURE.md): past that a
// folder stops saying what is in it, and it is time to split it by job. Run by `npm run deps:check`.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const LIMIT = 25;
const crowded = [];
(function visit(dir) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const sources = entries.filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts'));
  if (sources.length > LIMIT) crowded.push(`${dir}: ${sources.length} source files (limit ${LIMIT})`);
  for (const e of entries) if (e.isDirectory()) visit(path.join(dir, e.name));
})('src');
if (crowded.length > 0) {
  console.error(`Folders over ${LIMIT} source files; split them by job:\n  ${crowded.join('\n  ')}`);
  process.exit(1);
}
console.log(`folder sizes: every folder of src/ holds at most ${LIMIT} source files directly`);
