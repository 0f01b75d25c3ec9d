import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { SlagateError } from '../errors.js';
import { formatInstant } from './format-instant.js';
import { formatSize } from './forwarded-attachments.js';
import { CLOCK_LABELS, PRIORITY_LABELS } from './labels.js';
import type { Language, MailKind } from './outbound-mail.js';
import type { Priority } from '../policy/priorities.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Template variables; `zone` is required because the date helper formats instants in it. */
export interface TemplateData {
  zone: string;
  [key: string]: unknown;
}

/** What the helpers see at the template's root. */
interface TemplateRoot extends TemplateData {
  lang: Language;
}

export type RenderTemplate = (kind: MailKind, lang: Language, data: TemplateData) => RenderedMail;

const DEFAULT_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
const PARTS = ['subject', 'text', 'html'] as const;

/**
 * Builds a renderer over a template folder. Templates compile once, on first use, and are cached.
 * HTML parts are escaped by Handlebars; subjects and text parts are not (a text mail showing
 * `&amp;` is a bug). Strict mode turns a missing variable into an error instead of a blank.
 */
export function createTemplateRenderer(dir: string = DEFAULT_DIR): RenderTemplate {
  const html = Handlebars.create();
  const text = Handlebars.create();
  for (const hb of [html, text]) registerHelpers(hb);
  registerPartials(dir, html, text);
  const cache = new Map<string, Handlebars.TemplateDelegate>();

  function compiled(kind: MailKind, lang: Language, part: (typeof PARTS)[number]): Handlebars.TemplateDelegate {
    const key = `${lang}/${kind}.${part}`;
    let template = cache.get(key);
    if (template) return template;
    let source: string;
    try {
      source = readFileSync(`${dir}/${lang}/${kind}.${part}.hbs`, 'utf8');
    } catch (err) {
      throw new SlagateError('TEMPLATE_NOT_FOUND', `template ${key}.hbs not found`, { cause: err });
    }
    template = part === 'html'
      ? html.compile(source, { strict: true })
      : text.compile(source, { strict: true, noEscape: true });
    cache.set(key, template);
    return template;
  }

  return (kind, lang, data) => {
    const root = { ...data, lang };
    const out = {} as RenderedMail;
    for (const part of PARTS) {
      try {
        out[part] = compiled(kind, lang, part)(root);
      } catch (err) {
        if (err instanceof SlagateError) throw err;
        throw new SlagateError('TEMPLATE_MISSING_VARIABLE', `template ${lang}/${kind}.${part}: ${(err as Error).message}`, { cause: err });
      }
    }
    // A subject is one header line whatever the template's whitespace.
    out.subject = out.subject.replace(/\s+/g, ' ').trim();
    return out;
  };
}

let defaultRenderer: RenderTemplate | undefined;

/** Renders `templates/<lang>/<kind>.{subject,text,html}.hbs` with `data`. */
export function renderTemplate(kind: MailKind, lang: Language, data: TemplateData): RenderedMail {
  defaultRenderer ??= createTemplateRenderer();
  return defaultRenderer(kind, lang, data);
}

function rootOf(options: Handlebars.HelperOptions): TemplateRoot {
  return (options.data as { root: TemplateRoot }).root;
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('dateTime', function (instant: unknown, options: Handlebars.HelperOptions) {
    const root = rootOf(options);
    if (!(instant instanceof Date)) throw new Error('dateTime needs a Date');
    return formatInstant(instant, root.zone, root.lang);
  });
  hb.registerHelper('priorityName', function (priority: Priority, options: Handlebars.HelperOptions) {
    const label = PRIORITY_LABELS[rootOf(options).lang][priority];
    if (!label) throw new Error(`unknown priority ${String(priority)}`);
    return label;
  });
  hb.registerHelper('clockName', function (clock: string, options: Handlebars.HelperOptions) {
    const label = CLOCK_LABELS[rootOf(options).lang][clock];
    if (!label) throw new Error(`unknown clock ${String(clock)}`);
    return label;
  });
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // The files a mail lists (forwarded-attachments.ts); most mail kinds and callers give none, and
  // strict mode would fail on a missing `files`, so the helper reads it leniently.
  hb.registerHelper('listedFiles', function (options: Handlebars.HelperOptions) {
    const files = (rootOf(options) as { files?: unknown }).files;
    return Array.isArray(files) ? files as unknown[] : [];
  });
  // "2 sa 5 dk" / "2 h 5 min": how late a deadline is (escalation mails).
  hb.registerHelper('duration', function (minutes: number, options: Handlebars.HelperOptions) {
    const whole = Math.max(0, Math.floor(Number(minutes)));
    const [h, m] = [Math.floor(whole / 60), whole % 60];
    const [hu, mu] = rootOf(options).lang === 'tr' ? ['sa', 'dk'] : ['h', 'min'];
    return h > 0 ? `${h} ${hu}${m > 0 ? ` ${m} ${mu}` : ''}` : `${m} ${mu}`;
  });
  // A template variable only some callers give (a block of facts), read leniently under strict mode.
  hb.registerHelper('optional', function (name: string, options: Handlebars.HelperOptions) {
    return (rootOf(options) as Record<string, unknown>)[name] ?? null;
  });
  hb.registerHelper('fileSize', function (bytes: number, options: Handlebars.HelperOptions) {
    return formatSize(bytes, rootOf(options).lang);
  });
  // Quoted lines in a forwarded body, the way mail clients show a reply.
  hb.registerHelper('quote', (body: string) => String(body).split('\n').map((l) => `> ${l}`).join('\n'));
}

/**
 * `partials/<name>.text.hbs` goes to the text instance, `partials/<name>.html.hbs` to the HTML one,
 * both under `<name>`, so a template includes `{{> footer-tr}}` in either part.
 */
function registerPartials(dir: string, html: typeof Handlebars, text: typeof Handlebars): void {
  let files: string[];
  try {
    files = readdirSync(`${dir}/partials`);
  } catch {
    return;
  }
  for (const file of files) {
    const match = /^(.+)\.(text|html)\.hbs$/.exec(file);
    if (!match) continue;
    const [, name, part] = match as unknown as [string, string, 'text' | 'html'];
    const source = readFileSync(`${dir}/partials/${file}`, 'utf8');
    (part === 'html' ? html : text).registerPartial(name, source);
  }
}
