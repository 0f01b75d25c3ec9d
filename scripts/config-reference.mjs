#!/usr/bin/env node
// Writes the configuration reference table into README.md from the config schema (defaults,
// types) and src/config-docs.ts (what each key means). `--check` fails instead when the README is
// out of date or a key has no description: a new config key cannot land undocumented.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../dist/config.js';
import { CONFIG_DOCS } from '../dist/config-docs.js';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

const rows = [];
function walk(schema, path) {
  let s = schema;
  if (s.anyOf) {
    const object = s.anyOf.find((x) => x.type === 'object');
    if (object) s = { ...object, default: s.default };
  }
  if (path === 'mailboxes') {
    walk(s.properties.support, 'mailboxes.<support|management>');
    return;
  }
  if (s.type === 'object' && s.properties && !path.startsWith('policy.')) {
    for (const [k, v] of Object.entries(s.properties)) walk(v, path ? `${path}.${k}` : k);
    return;
  }
  if (s.type === 'array' && s.items?.type === 'object' && !path.startsWith('policy')) {
    for (const [k, v] of Object.entries(s.items.properties)) walk(v, `${path}[].${k}`);
    return;
  }
  rows.push({ path, type: s.enum ? s.enum.map((e) => `\`${e}\``).join(' \\| ') : (s.type ?? 'any'), default: s.default });
}
walk(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }), '');

const missing = rows.filter((r) => !CONFIG_DOCS[r.path]).map((r) => r.path);
const stale = Object.keys(CONFIG_DOCS).filter((k) => !rows.some((r) => r.path === k));
const show = (r) => {
  if (r.default === undefined) return '—';
  if (r.path.startsWith('policy.') && typeof r.default === 'object') return 'the agreement';
  return `\`${JSON.stringify(r.default)}\``;
};
const table = [
  '| key | type | default | meaning |',
  '|---|---|---|---|',
  ...rows.map((r) => `| \`${r.path}\` | ${r.type} | ${show(r)} | ${CONFIG_DOCS[r.path] ?? '**undocumented**'} |`),
].join('\n');

const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < 0) throw new Error(`README.md has no ${START} ... ${END} markers`);
const next = `${readme.slice(0, from + START.length)}\n${table}\n${readme.slice(to)}`;

if (process.argv.includes('--check')) {
  const problems = [
    ...missing.map((k) => `config key ${k} has no description in src/config-docs.ts`),
    ...stale.map((k) => `src/config-docs.ts describes ${k}, which the config schema no longer has`),
    ...(next !== readme ? ['README.md configuration reference is out of date: run `node scripts/config-reference.mjs`'] : []),
  ];
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`configuration reference is complete (${rows.length} keys)`);
} else {
  writeFileSync('README.md', next);
  console.log(`README.md: ${rows.length} config keys${missing.length ? `, undocumented: ${missing.join(', ')}` : ''}`);
}
