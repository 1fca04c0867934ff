// Renamed to format.ts; this stays only until src/sweep/sweep-html.ts imports from format.js.
export { displayUrl, escapeHtml, formatMs, formatNumber, formatRps, formatShare } from './format.js';
