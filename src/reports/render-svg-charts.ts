import type { Report } from './report-model.js';
import { percentText, periodName, priorityName, reportText, type ReportLanguage } from './report-labels.js';

/**
 * Inline SVG charts for the HTML report: no script, no external resource, each an
 * `<svg class="chart" role="img">` with a `<title>` and `<desc>` so a screen reader gets the
 * point of the chart, and a `<title>` per bar for the exact figure on hover.
 */

const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = { top: 20, right: 16, bottom: 40, left: 44 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

export function dailyVolumeChart(daily: Report['daily'], idPrefix = 'volume', lang: ReportLanguage = 'en'): string {
  const t = reportText(lang);
  const max = Math.max(1, ...daily.map((d) => d.count));
  const top = niceCeiling(max);
  const slot = PLOT_W / Math.max(1, daily.length);
  const barW = Math.max(1, slot * 0.7);
  const total = daily.reduce((a, d) => a + d.count, 0);
  const busiest = daily.reduce((a, d) => (d.count > a.count ? d : a), { day: '', count: 0 });
  const labelEvery = Math.ceil(daily.length / 12);

  const bars = daily.map((d, i) => {
    const h = (d.count / top) * PLOT_H;
    const x = MARGIN.left + i * slot + (slot - barW) / 2;
    const y = MARGIN.top + PLOT_H - h;
    return `<rect class="bar" x="${fmt(x)}" y="${fmt(y)}" width="${fmt(barW)}" height="${fmt(h)}">`
      + `<title>${d.day}: ${t.ticketsWord(d.count)}</title></rect>`;
  });
  const xLabels = daily.flatMap((d, i) => i % labelEvery !== 0 ? [] : [
    `<text class="x-label" x="${fmt(MARGIN.left + i * slot + slot / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${d.day.slice(5)}</text>`,
  ]);
  const desc = lang === 'tr'
    ? `${daily.length} günde ${total} talep` + (busiest.count > 0 ? `; en yoğun gün ${busiest.day}, ${busiest.count} talep.` : '.')
    : `${total} tickets over ${daily.length} days` + (busiest.count > 0 ? `; busiest day ${busiest.day} with ${busiest.count}.` : '.');
  return svg(idPrefix, t.dailyVolume, desc, [
    ...yAxis(top, (v) => String(v)),
    ...bars,
    ...xLabels,
  ]);
}

export function attainmentChart(
  rows: Report['attainment']['byPriority'], target: number, idPrefix = 'attainment', lang: ReportLanguage = 'en',
  options: { title?: string; keyName?: (key: string) => string } = {},
): string {
  const t = reportText(lang);
  const percent = (v: number) => percentText(v, 0, lang);
  const keyName = options.keyName ?? ((k: string) => priorityName(k, lang));
  const groupW = PLOT_W / Math.max(1, rows.length);
  const barW = groupW * 0.32;
  const series = [
    { name: t.firstResponse, cls: 'bar bar-first', pick: (r: (typeof rows)[number]) => r.firstResponse },
    { name: t.resolution, cls: 'bar bar-resolution', pick: (r: (typeof rows)[number]) => r.resolution },
  ];
  const parts: string[] = [];
  const described: string[] = [];
  rows.forEach((row, gi) => {
    const groupX = MARGIN.left + gi * groupW;
    series.forEach((s, si) => {
      const a = s.pick(row);
      const x = groupX + groupW * 0.16 + si * barW;
      if (a.rate === null) {
        parts.push(`<text class="na" x="${fmt(x + barW / 2)}" y="${MARGIN.top + PLOT_H - 4}" text-anchor="middle">${lang === 'tr' ? 'yok' : 'n/a'}</text>`);
        return;
      }
      const h = a.rate * PLOT_H;
      const label = `${keyName(row.key)} ${s.name}: ${percent(a.rate)} (${lang === 'tr' ? `${a.total} talepten ${a.met}` : `${a.met} of ${a.total}`})`;
      described.push(label);
      parts.push(`<rect class="${s.cls}" x="${fmt(x)}" y="${fmt(MARGIN.top + PLOT_H - h)}" width="${fmt(barW)}" height="${fmt(h)}">`
        + `<title>${escapeXml(label)}</title></rect>`);
    });
    parts.push(`<text class="x-label" x="${fmt(groupX + groupW / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(keyName(row.key))}</text>`);
  });
  const ty = MARGIN.top + PLOT_H - target * PLOT_H;
  parts.push(`<line class="target" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fmt(ty)}" y2="${fmt(ty)}"><title>${t.target} ${percent(target)}</title></line>`);
  parts.push(`<text class="target-label" x="${WIDTH - MARGIN.right}" y="${fmt(ty - 4)}" text-anchor="end">${t.target} ${percent(target)}</text>`);
  parts.push(legend(series.map((s) => ({ name: s.name, cls: s.cls }))));
  const title = options.title ?? t.attPriority;
  const desc = (lang === 'tr' ? `${title}, hedef ${percent(target)}. ` : `${title} against a ${percent(target)} target. `)
    + (described.length > 0 ? `${described.join('; ')}.` : lang === 'tr' ? 'Hedefi sonuçlanan talep yok.' : 'No ticket had a decided target.');
  return svg(idPrefix, title, desc, [...yAxis(1, percent), ...parts]);
}

/** The month-by-month trend of a quarter: attainment bars per month under the target line. */
export function trendChart(months: Report['months'], target: number, idPrefix = 'trend', lang: ReportLanguage = 'en'): string {
  return attainmentChart(months.map((m) => ({ key: m.month, firstResponse: m.firstResponse, resolution: m.resolution })), target, idPrefix, lang,
    { title: reportText(lang).trend, keyName: (k) => periodName(k, lang) });
}

/** How long first responses took: one bar per bound (up to 30 min, 1 h, 2 h, 4 h, 8 h, longer). */
export function distributionChart(buckets: Report['firstResponseDistribution'], idPrefix = 'distribution', lang: ReportLanguage = 'en'): string {
  const t = reportText(lang);
  const label = (b: number | null, i: number) => {
    const prev = buckets[i - 1]?.upToMinutes;
    const unit = (m: number) => (m < 60 ? `${m}${lang === 'tr' ? ' dk' : 'm'}` : `${m / 60}${lang === 'tr' ? ' sa' : 'h'}`);
    if (b === null) return `> ${unit(prev ?? 0)}`;
    return `≤ ${unit(b)}`;
  };
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const top = niceCeiling(max);
  const slot = PLOT_W / Math.max(1, buckets.length);
  const barW = slot * 0.6;
  const total = buckets.reduce((a, b) => a + b.count, 0);
  const parts: string[] = [];
  const described: string[] = [];
  buckets.forEach((b, i) => {
    const h = (b.count / top) * PLOT_H;
    const x = MARGIN.left + i * slot + (slot - barW) / 2;
    const text = `${label(b.upToMinutes, i)}: ${t.ticketsWord(b.count)}`;
    described.push(text);
    parts.push(`<rect class="bar" x="${fmt(x)}" y="${fmt(MARGIN.top + PLOT_H - h)}" width="${fmt(barW)}" height="${fmt(h)}"><title>${escapeXml(text)}</title></rect>`);
    parts.push(`<text class="x-label" x="${fmt(MARGIN.left + i * slot + slot / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(label(b.upToMinutes, i))}</text>`);
  });
  const desc = (lang === 'tr' ? `${total} ilk yanıtın çalışma süresine göre dağılımı: ` : `${total} first responses by working time taken: `)
    + `${described.join('; ')}.`;
  return svg(idPrefix, t.distribution, desc, [...yAxis(top, (v) => String(v)), ...parts]);
}

function svg(id: string, title: string, desc: string, body: string[]): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" `
    + `role="img" aria-labelledby="${id}-title ${id}-desc">`
    + `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(desc)}</desc>`
    + body.join('') + '</svg>';
}

function yAxis(top: number, label: (v: number) => string): string[] {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    const y = MARGIN.top + PLOT_H - (i / 4) * PLOT_H;
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fmt(y)}" y2="${fmt(y)}"/>`);
    parts.push(`<text class="y-label" x="${MARGIN.left - 6}" y="${fmt(y + 4)}" text-anchor="end">${escapeXml(label(v))}</text>`);
  }
  return parts;
}

function legend(items: { name: string; cls: string }[]): string {
  return items.map((item, i) => {
    const x = MARGIN.left + i * 140;
    const y = HEIGHT - 12;
    return `<rect class="${item.cls} legend" x="${x}" y="${y - 9}" width="10" height="10"/>`
      + `<text class="legend-label" x="${x + 14}" y="${y}">${escapeXml(item.name)}</text>`;
  }).join('');
}

/** A round axis maximum (1, 2, 5 × 10^n) so gridlines land on readable numbers. */
function niceCeiling(max: number): number {
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 4, 5, 10]) if (m * step >= max && (m * step) % 4 === 0) return m * step;
  return Math.ceil(max / 4) * 4;
}

function fmt(n: number): string {
  return Number(n.toFixed(2)).toString();
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
