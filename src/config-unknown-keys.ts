import type { z } from 'zod';

/**
 * Unknown config keys, each named with the closest valid one. zod's plain objects drop keys they
 * do not know, so `smtpHost` or `http.prot` used to be ignored silently and the default used in
 * their place; zod's strict objects would refuse them but say nothing of what was meant.
 * Walks the input beside the schema: objects (through optional, default, nullable and pipes)
 * and arrays of objects. Records (calendar hours) check their own keys.
 */
export function unknownKeys(schema: z.ZodType, input: unknown): string[] {
  const problems: string[] = [];
  walk(schema, input, [], problems);
  return problems;
}

interface Def { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> }

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** The object schema under optional/default/nullable/pipe wrappers, or the array's, or null. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let s = schema; ;) {
    const def = defOf(s);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | null {
  const s = unwrap(schema);
  return defOf(s).type === 'object' ? (s as unknown as { shape: Record<string, z.ZodType> }).shape : null;
}

function walk(schema: z.ZodType, input: unknown, path: string[], problems: string[]): void {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'array' && def.element && Array.isArray(input)) {
    input.forEach((item, i) => walk(def.element!, item, [...path, String(i)], problems));
    return;
  }
  const shape = shapeOf(s);
  if (!shape || typeof input !== 'object' || input === null || Array.isArray(input)) return;
  for (const [key, value] of Object.entries(input)) {
    if (key in shape) {
      walk(shape[key]!, value, [...path, key], problems);
      continue;
    }
    const guess = closestKey(shape, key);
    const at = [...path, key].join('.');
    problems.push(`${at}: unknown key${guess ? ` (did you mean ${[...path, guess].join('.')}?)` : ''}`);
  }
}

/**
 * The valid key (or nested key path, for a flattened `smtpHost`) nearest to an unknown one,
 * compared case-insensitively without dots; none when even the nearest is too far to be a typo.
 */
export function closestKey(shape: Record<string, z.ZodType>, key: string): string | null {
  const candidates: string[] = [];
  for (const [name, child] of Object.entries(shape)) {
    candidates.push(name);
    const inner = shapeOf(child);
    if (inner) for (const sub of Object.keys(inner)) candidates.push(`${name}.${sub}`);
  }
  const norm = (s: string) => s.toLowerCase().replace(/[._-]/g, '');
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(norm(key), norm(c));
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  const allowed = Math.max(1, Math.floor(norm(key).length / 3));
  return bestDistance <= allowed ? best : null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
