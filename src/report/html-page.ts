import { escapeHtml } from './format.js';

/** What every modelprof HTML page shares: the page shell, its inline stylesheet and script; system fonts only, nothing loaded from anywhere. */

export const PAGE_STYLE = `
:root { --ink: #111827; --soft: #4b5563; --faint: #6b7280; --line: #e5e7eb; --bg: #f5f6f8; --card: #fff;
  --ok: #15803d; --ok-bg: #f0fdf4; --bad: #b91c1c; --bad-bg: #fef2f2; --warn: #a16207; --warn-bg: #fefce8;
  --info: #1d4ed8; --info-bg: #eff6ff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 40px; }
header { padding: 4px 4px 8px; }
.brand { font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: var(--faint); }
h1 { font-size: 22px; margin: 2px 0 4px; word-break: break-all; font-weight: 650; }
h2 { font-size: 16px; margin: 0 0 12px; font-weight: 650; }
h3 { font-size: 13px; margin: 16px 0 6px; color: var(--soft); font-weight: 600; }
.meta { color: var(--faint); margin: 0; font-size: 13px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 14px 0; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 12px; color: var(--faint); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
th.num, td.num { text-align: right; white-space: nowrap; }
table.kv th { width: 40%; color: var(--soft); font-weight: 500; }
.empty { color: var(--faint); }
.verdict { border-left-width: 6px; }
.verdict-pass { border-left-color: var(--ok); background: var(--ok-bg); }
.verdict-fail { border-left-color: var(--bad); background: var(--bad-bg); }
.verdict-invalid { border-left-color: var(--warn); background: var(--warn-bg); }
.verdict-measured { border-left-color: var(--info); background: var(--info-bg); }
.verdict-warn { border-left-color: var(--bad); background: var(--warn-bg); }
.verdict-head { display: flex; gap: 16px; align-items: center; }
.verdict-head h2 { font-size: 20px; margin: 0; }
.verdict-head p { margin: 2px 0 0; color: var(--soft); }
.verdict-badge { font-weight: 700; letter-spacing: .06em; color: #fff; border-radius: 6px; padding: 6px 12px; font-size: 14px; }
.verdict-pass .verdict-badge { background: var(--ok); }
.verdict-fail .verdict-badge { background: var(--bad); }
.verdict-invalid .verdict-badge { background: var(--warn); }
.verdict-measured .verdict-badge { background: var(--info); }
.verdict-warn .verdict-badge { background: var(--bad); }
.verdict table { margin-top: 14px; background: var(--card); border-radius: 6px; }
.reasons { margin: 10px 0 0; padding-left: 20px; }
.partial { margin: 10px 0 0; color: var(--warn); font-weight: 600; }
.warnings { margin: 10px 0 0; padding-left: 20px; color: var(--warn); }
.limits { margin: 10px 0 0; padding-left: 20px; color: var(--soft); list-style: '~  '; }
.pill { display: inline-block; white-space: nowrap; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; }
.pill-pass { background: #dcfce7; color: var(--ok); }
.pill-fail { background: #fee2e2; color: var(--bad); }
.pill-not-judged { background: #fef3c7; color: var(--warn); }
td.detail { color: var(--soft); }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tile-label { font-size: 12px; color: var(--faint); text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.tile-value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile-sub { font-size: 12px; color: var(--faint); min-height: 18px; }
.tile-bad .tile-value { color: var(--bad); }
.tile-untrusted .tile-value, td.untrusted { color: var(--warn); }
.untrusted-mark { color: var(--warn); font-weight: 700; }
.latency-grid { display: grid; grid-template-columns: minmax(0, 1fr) 290px; gap: 18px; align-items: start; }
.table-scroll { max-width: 100%; overflow-x: auto; }
.latency-grid > *, .two-col > * { min-width: 0; }
.two-col { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }
.two-col-wide-right { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
.small-multiples { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 20px; }
figure.chart { margin: 0 0 14px; }
figcaption { display: flex; flex-direction: column; }
.chart-title { font-weight: 600; }
.chart-caption { font-size: 12px; color: var(--faint); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--soft); margin: 4px 0; }
.key i { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 6px; border-radius: 2px; }
.key i.dashed { height: 0; border-top: 3px dashed #94a3b8; background: none !important; }
.plot { position: relative; }
svg { width: 100%; height: auto; display: block; font-family: inherit; }
.plot-area { fill: #fff; stroke: var(--line); }
.grid { stroke: #eef0f3; }
.tick { fill: var(--faint); font-size: 12px; }
.axis-label { fill: var(--soft); font-size: 12px; }
.marker-label { font-size: 12px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.guide { stroke: #9ca3af; stroke-dasharray: 2 2; }
.tip { position: absolute; top: 8px; pointer-events: none; white-space: pre; background: rgba(17, 24, 39, .92); color: #fff;
  font-size: 12px; padding: 6px 9px; border-radius: 6px; font-variant-numeric: tabular-nums; }
footer { color: var(--faint); font-size: 12px; margin-top: 18px; padding: 0 4px; }
@media (max-width: 760px) {
  .tiles { grid-template-columns: repeat(2, 1fr); }
  .latency-grid, .two-col, .two-col-wide-right, .small-multiples { grid-template-columns: 1fr; }
}
@media print { body { background: #fff; } section { break-inside: avoid; } .tip, .guide { display: none; } }
`;

/** Hover read-out: a guide line and the values at the nearest x, from each figure's data-hover columns. */
export const PAGE_SCRIPT = `
(function () {
  var figures = document.querySelectorAll('figure.chart');
  Array.prototype.forEach.call(figures, function (figure) {
    var svg = figure.querySelector('svg');
    var tip = figure.querySelector('.tip');
    var guide = svg && svg.querySelector('.guide');
    var columns = JSON.parse(figure.getAttribute('data-hover') || '[]');
    if (!svg || !tip || !guide || columns.length === 0) return;
    function nearest(x) {
      var lo = 0, hi = columns.length - 1;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (columns[mid][0] < x) lo = mid + 1; else hi = mid;
      }
      if (lo > 0 && x - columns[lo - 1][0] < columns[lo][0] - x) lo--;
      return columns[lo];
    }
    svg.addEventListener('mousemove', function (event) {
      var box = svg.getBoundingClientRect();
      var scale = svg.viewBox.baseVal.width / box.width;
      var column = nearest((event.clientX - box.left) * scale);
      guide.setAttribute('x1', column[0]);
      guide.setAttribute('x2', column[0]);
      guide.setAttribute('visibility', 'visible');
      tip.textContent = column[1];
      tip.hidden = false;
      var left = column[0] / scale + 12;
      if (left + tip.offsetWidth > box.width) left = column[0] / scale - tip.offsetWidth - 12;
      tip.style.left = Math.max(0, left) + 'px';
    });
    svg.addEventListener('mouseleave', function () {
      tip.hidden = true;
      guide.setAttribute('visibility', 'hidden');
    });
  });
})();
`;

/**
 * A whole self-contained page around `main` (HTML): the style and script inline, and a
 * Content-Security-Policy under which the page can load nothing. `title` is plain text.
 */
export function htmlPage(title: string, main: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
${main}
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
