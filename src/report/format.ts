
/**
 * Turning report values into text for people: numbers with sensible precision, and the escaping and
 * redaction every rendered string from a report goes through (URLs, headers and notes are user input).
 * Shared by the HTML, Markdown, JUnit, SLA and compare renderers so they all print a value the same way.
 */

/** Up to three significant digits, never scientific notation, no trailing zeros. */
export function formatNumber(value: number, significant = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, significant - 1 - magnitude);
  const text = value.toFixed(Math.min(decimals, 6));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A latency given in milliseconds, switching to seconds above ten seconds. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${formatNumber(ms / 1000)} s`;
  return `${formatNumber(ms)} ms`;
}

/** A share (0..1) as a percentage. */
export function formatShare(share: number): string {
  return `${formatNumber(share * 100)}%`;
}

/** A count with thousands separators. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

export function formatRps(rps: number): string {
  return `${formatNumber(rps, 4)} rps`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in the largest binary unit that leaves at least 1 (1_258_291_200 -> 1.17… GiB); the caller picks the precision. */
export function scaleBytes(bytes: number): { value: number; unit: (typeof BYTE_UNITS)[number] } {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return { value, unit: BYTE_UNITS[unit]! };
}

/** Bytes with binary prefixes: "1.17 GiB". */
export function formatBytes(bytes: number): string {
  const { value, unit } = scaleBytes(bytes);
  return `${formatNumber(value)} ${unit}`;
}

/** A signed relative change, e.g. "+12.3%". */
export function formatChange(relative: number): string {
  const text = formatShare(relative);
  return relative > 0 ? `+${text}` : text;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in HTML text and in double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** An ISO 8601 time as "2025-01-31 12:00:00 UTC" (seconds); text that does not parse is shown as is. */
export function formatUtcTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}
