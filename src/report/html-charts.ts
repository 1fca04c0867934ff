import { escapeHtml, formatNumber } from './format.js';

/**
 * Inline SVG charts for the HTML report, drawn at render time so the page needs no script or library
 * to show them (the page's small script only adds a hover read-out).
 */

/**
 * linear and log10 map values directly; "tail" maps a percentile p (0..100) to -log10(1 - p/100), the
 * axis of HdrHistogram plots, where 90%, 99%, 99.9% are evenly spaced and the tail gets the room.
 */
export type ScaleKind = 'linear' | 'log10' | 'tail';

export interface Axis {
  label: string;
  scale: ScaleKind;
  /** Domain in data units (percentiles for "tail"). */
  min: number;
  max: number;
  format: (value: number) => string;
  /** Appended to values in the hover read-out, e.g. "ms". */
  unit?: string;
}

export interface Series {
  name: string;
  /** A CSS colour; the page's palette variables work. */
  color: string;
  /** [x, y] in data units; y may be undefined for a gap. */
  points: [number, number | undefined][];
  style: 'line' | 'bars' | 'dots';
  dashed?: boolean;
  /** Bars stacked on top of this series' bars (same x values). */
  stackOn?: Series;
}

export interface Marker {
  /** Data x of the marker (a percentile on a tail axis); absent for a full-width horizontal line. */
  x?: number;
  y: number;
  label: string;
  color: string;
}

/** A stretch of the x axis shaded behind the data, e.g. an outage, with its label at the top. */
export interface Span {
  from: number;
  to: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  markers?: Marker[];
  spans?: Span[];
  /** Shown under the title: what the chart is drawn from. */
  caption?: string;
  /** Show the series legend (default true); off for single-series charts whose title names the series. */
  legend?: boolean;
  /** Of the viewBox: text keeps its size when the chart is drawn at this many pixels wide. */
  width?: number;
  height?: number;
}

const DEFAULT_WIDTH = 960;
const MARGIN = { left: 64, right: 30, top: 12, bottom: 40 };
export const TAIL_CAP = 6;
const MAX_HOVER_COLUMNS = 1000;

function transform(scale: ScaleKind, value: number): number {
  switch (scale) {
    case 'linear':
      return value;
    case 'log10':
      return Math.log10(Math.max(value, Number.MIN_VALUE));
    case 'tail':
      return value >= 100 ? TAIL_CAP : Math.min(TAIL_CAP, -Math.log10(1 - value / 100));
  }
}

/** Maps a data value to a 0..1 position along the axis. */
function position(axis: Axis, value: number): number {
  const low = transform(axis.scale, axis.min);
  const high = transform(axis.scale, axis.max);
  if (high === low) return 0.5;
  return (transform(axis.scale, value) - low) / (high - low);
}

/** Round-number ticks: 1, 2, 5 x 10^k for linear axes, decades for log axes, 90/99/99.9% for tail axes. */
export function ticks(axis: Axis): number[] {
  if (axis.scale === 'tail') {
    const out = [0];
    for (let nines = 1; nines <= TAIL_CAP && nines <= transform('tail', axis.max) + 1e-9; nines++) out.push(100 * (1 - 10 ** -nines));
    return out;
  }
  if (axis.scale === 'log10') {
    const out: number[] = [];
    const first = Math.floor(Math.log10(axis.min));
    const last = Math.ceil(Math.log10(axis.max));
    const steps = last - first <= 3 ? [1, 2, 5] : [1];
    for (let e = first; e <= last; e++) {
      for (const s of steps) {
        const v = s * 10 ** e;
        if (v >= axis.min * 0.999 && v <= axis.max * 1.001) out.push(v);
      }
    }
    return out;
  }
  const span = axis.max - axis.min;
  if (span <= 0) return [axis.min];
  const step = niceStep(span / 5);
  const out: number[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / magnitude;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
}

/** A log-axis bound on 1, 2 or 5 x 10^k: the largest below `value` (down) or the smallest above it. */
export function logBound(value: number, direction: 'down' | 'up'): number {
  const decade = 10 ** Math.floor(Math.log10(value));
  const candidates = [1, 2, 5, 10].map((s) => s * decade);
  return direction === 'down' ? candidates.filter((c) => c <= value * 1.0001).pop()! : candidates.find((c) => c >= value * 0.9999)!;
}

/** A domain maximum that lands on a round number, for linear axes starting at 0. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const step = niceStep(value / 5);
  return Math.ceil((value * 1.02) / step) * step;
}

export function renderChart(spec: ChartSpec): string {
  const WIDTH = spec.width ?? DEFAULT_WIDTH;
  const height = spec.height ?? 280;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + position(spec.x, x) * plotW;
  const py = (y: number): number => MARGIN.top + (1 - position(spec.y, y)) * plotH;
  const r = (n: number): string => n.toFixed(1);

  const grid: string[] = [];
  for (const t of ticks(spec.y)) {
    grid.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${r(py(t))}" y2="${r(py(t))}"/>`);
    grid.push(`<text class="tick" x="${MARGIN.left - 8}" y="${r(py(t) + 4)}" text-anchor="end">${escapeHtml(spec.y.format(t))}</text>`);
  }
  for (const t of ticks(spec.x)) {
    grid.push(`<line class="grid grid-x" x1="${r(px(t))}" x2="${r(px(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`);
    grid.push(`<text class="tick" x="${r(px(t))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${escapeHtml(spec.x.format(t))}</text>`);
  }

  const shapes: string[] = [];
  for (const span of spec.spans ?? []) {
    const left = px(Math.max(spec.x.min, span.from));
    const right = px(Math.min(spec.x.max, span.to));
    shapes.push(
      `<g class="span"><rect x="${r(left)}" y="${MARGIN.top}" width="${r(Math.max(1, right - left))}" height="${r(plotH)}" fill="${span.color}" fill-opacity="0.12"/>` +
        `<text class="marker-label" x="${r(left + 4)}" y="${MARGIN.top + 14}" fill="${span.color}">${escapeHtml(span.label)}</text></g>`,
    );
  }
  const barWidth = (series: Series): number => {
    const xs = series.points.map(([x]) => x);
    const gap = xs.length > 1 ? Math.min(...xs.slice(1).map((x, i) => x - xs[i]!)) : 1;
    return Math.max(1, (position(spec.x, spec.x.min + gap) - position(spec.x, spec.x.min)) * plotW * 0.8);
  };
  for (const series of spec.series) {
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const data = `data-series="${escapeHtml(series.name)}" data-points="${series.points.filter(([, y]) => y !== undefined).length}"`;
    if (series.style === 'bars') {
      const width = barWidth(series);
      const base = new Map(series.stackOn?.points.map(([x, y]) => [x, y ?? 0]) ?? []);
      let d = '';
      for (const [x, y] of series.points) {
        if (y === undefined || y <= 0) continue;
        const bottom = base.get(x) ?? 0;
        const top = py(bottom + y);
        const left = px(x) - width / 2;
        d += `M${r(left)} ${r(py(bottom))}V${r(top)}h${r(width)}V${r(py(bottom))}Z`;
      }
      shapes.push(`<path class="bars" ${data} d="${d}" fill="${series.color}"/>`);
    } else if (series.style === 'dots') {
      const dots = series.points
        .filter((p): p is [number, number] => p[1] !== undefined)
        .map(([x, y]) => `<circle cx="${r(px(x))}" cy="${r(py(y))}" r="3.5" fill="${series.color}"/>`);
      shapes.push(`<g class="dots" ${data}>${dots.join('')}</g>`);
    } else {
      let d = '';
      let pen = false;
      for (const [x, y] of series.points) {
        if (y === undefined) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${r(px(x))} ${r(py(y))}`;
        pen = true;
      }
      shapes.push(`<path class="line" ${data} d="${d}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
    }
  }

  for (const marker of spec.markers ?? []) {
    const y = r(py(marker.y));
    if (marker.x === undefined) {
      shapes.push(`<line class="marker" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="${marker.color}" stroke-dasharray="3 3"/>`);
      shapes.push(`<text class="marker-label" x="${WIDTH - MARGIN.right - 4}" y="${r(py(marker.y) - 5)}" text-anchor="end" fill="${marker.color}">${escapeHtml(marker.label)}</text>`);
    } else {
      const x = px(marker.x);
      const anchor = x > WIDTH * 0.8 ? 'end' : 'start';
      shapes.push(
        `<g class="marker"><line x1="${r(x - 12)}" x2="${r(x + 12)}" y1="${y}" y2="${y}" stroke="${marker.color}" stroke-width="2.5"/>` +
          `<line x1="${r(x)}" x2="${r(x)}" y1="${y}" y2="${r(MARGIN.top + plotH)}" stroke="${marker.color}" stroke-dasharray="2 3"/>` +
          `<text class="marker-label" x="${r(anchor === 'start' ? x + 8 : x - 8)}" y="${r(py(marker.y) - 6)}" text-anchor="${anchor}" fill="${marker.color}">${escapeHtml(marker.label)}</text></g>`,
      );
    }
  }

  const hover = hoverColumns(spec, px);
  const legend = spec.series
    .map((s) => `<span class="key"><i style="background:${s.color}"${s.dashed ? ' class="dashed"' : ''}></i>${escapeHtml(s.name)}</span>`)
    .join('');
  const xLabel = `<text class="axis-label" x="${MARGIN.left + plotW / 2}" y="${height - 4}" text-anchor="middle">${escapeHtml(spec.x.label)}</text>`;
  const yLabel = `<text class="axis-label" transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.y.label)}</text>`;
  return (
    `<figure class="chart" id="${escapeHtml(spec.id)}" data-hover="${escapeHtml(JSON.stringify(hover))}">` +
    `<figcaption><span class="chart-title">${escapeHtml(spec.title)}</span>${spec.caption ? `<span class="chart-caption">${escapeHtml(spec.caption)}</span>` : ''}</figcaption>` +
    (spec.legend === false ? '' : `<div class="legend">${legend}</div>`) +
    `<div class="plot"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(spec.title)}">` +
    `<rect class="plot-area" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}"/>` +
    grid.join('') +
    shapes.join('') +
    xLabel +
    yLabel +
    `<line class="guide" x1="0" x2="0" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" visibility="hidden"/>` +
    `</svg><div class="tip" hidden></div></div></figure>`
  );
}

/** For the hover read-out: per distinct x, its pixel position and every series' value there. */
function hoverColumns(spec: ChartSpec, px: (x: number) => number): [number, string][] {
  const byX = new Map<number, string[]>();
  for (const series of spec.series) {
    for (const [x, y] of series.points) {
      const lines = byX.get(x) ?? [];
      lines.push(`${series.name}: ${y === undefined ? '-' : spec.y.format(y)}${y !== undefined && spec.y.unit ? ` ${spec.y.unit}` : ''}`);
      byX.set(x, lines);
    }
  }
  const columns = [...byX.entries()].sort(([a], [b]) => a - b);
  // Long runs would embed megabytes of read-out; a pixel-dense subset reads the same.
  const step = Math.ceil(columns.length / MAX_HOVER_COLUMNS);
  return columns
    .filter((_, i) => i % step === 0)
    .map(([x, lines]) => [Math.round(px(x) * 10) / 10, [`${spec.x.label}: ${spec.x.format(x)}${spec.x.unit ? ` ${spec.x.unit}` : ''}`, ...lines].join('\n')]);
}

/** Tick labels for a tail axis: "0%", "90%", "99.9%". */
export function formatPercentile(p: number): string {
  return `${formatNumber(p, 7)}%`;
}
