// Small inline SVG charts: markup only (no script, no style attributes), so the CSP stays strict.
import { html } from 'hono/html';
import type { Html } from './layout.ts';

export interface Series {
  label: string;
  /** A CSS class the stylesheet colours. */
  tone: string;
  values: number[];
}

/** Stacked bars, one per label (a day), each series a segment. */
export function stackedBars(title: string, labels: readonly string[], series: readonly Series[], options: { width?: number; height?: number } = {}): Html {
  const width = options.width ?? 560;
  const height = options.height ?? 160;
  const pad = 24;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = (width - pad) / Math.max(1, labels.length);
  const bar = Math.max(2, slot * 0.7);
  const scale = (height - pad) / max;
  const bars = labels.map((label, i) => {
    let y = height - pad;
    const segments = series.map((s) => {
      const value = s.values[i] ?? 0;
      const h = value * scale;
      y -= h;
      return value > 0 ? html`<rect class="tone-${s.tone}" x="${(pad + i * slot).toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"><title>${label}: ${value} ${s.label}</title></rect>` : html``;
    });
    return html`${segments}${i % Math.ceil(labels.length / 7) === 0 ? html`<text class="axis" x="${(pad + i * slot).toFixed(1)}" y="${height - 6}">${label.slice(5)}</text>` : ''}`;
  });
  return html`<figure class="chart"><svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title>${title}</title>
<text class="axis" x="0" y="12">${max}</text><line class="axis" x1="${pad}" y1="${height - pad}" x2="${width}" y2="${height - pad}"></line>
${bars}</svg><figcaption>${title}: ${series.map((s) => html`<span class="key tone-${s.tone}">${s.label} ${s.values.reduce((a, b) => a + b, 0)}</span> `)}</figcaption></figure>`;
}

/** A horizontal gauge for a share (0..1, more when over): rate-budget use. */
export function gauge(label: string, share: number, detail: string): Html {
  const width = 220;
  const filled = Math.min(1, Math.max(0, share)) * width;
  const tone = share >= 0.9 ? 'bad' : share >= 0.6 ? 'warn' : 'good';
  return html`<svg class="gauge" role="img" aria-label="${label}: ${Math.round(share * 100)}%" viewBox="0 0 ${width} 14" width="${width}" height="14"><title>${label}: ${detail}</title><rect class="track" x="0" y="0" width="${width}" height="14"></rect><rect class="tone-${tone}" x="0" y="0" width="${filled.toFixed(1)}" height="14"></rect></svg> <span class="muted">${detail}</span>`;
}
