// Every name is imported from the file that defines it (ARCHITECTURE.md): a re-export makes a
// second address for a name, hides which folder a caller really depends on from dependency-cruiser,
// and is how barrels start. Run by `npm run deps:check`. A library's type given our own name
// (`export type ImapSession = ImapFlow`) is a definition, not a re-export.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// `export { a } from '...'`, `export * from '...'`, `export type { A } from '...'` (also over
// several lines), and `export { a };` / `export type { A };` (we export at the definition).
const REEXPORT = /^export\s+(type\s+)?(\*|\{[^}]*\})(\s+from\s+['"][^'"]+['"])?\s*;/gm;
const found = [];
(function visit(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) visit(file);
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(REEXPORT)) {
        const line = text.slice(0, m.index).split('\n').length;
        found.push(`${file}:${line}: ${m[0].replace(/\s+/g, ' ')}`);
      }
    }
  }
})('src');
if (found.length > 0) {
  console.error(`Re-exports; import each name from the file that defines it:\n  ${found.join('\n  ')}`);
  process.exit(1);
}
console.log('re-exports: none in src/');
