import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { SettingsError } from './errors.js';

const MIB = 1024 * 1024;

/**
 * The most each kind of file the user gives may hold, checked before it is parsed: a file that
 * never ends (`/dev/zero`), or a huge one given by mistake, is one line (exit 2) instead of
 * gigabytes of memory. The README's "Reliability" section lists the same table (a test keeps the
 * two equal). Lines count every line, blank ones too.
 */
export const FILE_BOUNDS = {
  /** --payload-file: every line is encoded up front in each load thread. */
  payload: { maxBytes: 64 * MIB, maxLines: 100_000, why: 'each line is held ready to send in every load thread; a sample of the lines measures the same' },
  /** --dataset: every request is parsed up front and copied to each load thread. */
  dataset: { maxBytes: 64 * MIB, maxLines: 100_000, why: 'each request is held in every load thread; a sample of the requests measures the same' },
  /** --trace: a Mooncake-style trace (its published traces have about 24,000 requests). */
  trace: { maxBytes: 256 * MIB, maxLines: 1_000_000, why: 'each request is held in every load thread; replay a day of traffic as a series of runs' },
  /** A job file or a sweep file: settings, never data. */
  settings: { maxBytes: 1 * MIB, maxLines: undefined, why: 'it holds settings; requests go in a payload, dataset or trace file' },
  /** A report.json (or a sweep.json to --resume): a 24 h run's per-second timeline is tens of MB. */
  report: { maxBytes: 256 * MIB, maxLines: undefined, why: 'a 24 h run with its per-second timeline stays far below it' },
} as const;

export type FileKind = keyof typeof FILE_BOUNDS;

/** Bytes read at a time: the bound is checked after each read, so a file that never ends stops there. */
const CHUNK = 1 * MIB;

/**
 * The text of a file the user named, read only when it is a plain file (or a pipe, such as
 * `<(...)`) within the bound of its kind. `name` says where it was given, as the errors start
 * (`--payload-file "x.txt"`, `job file "job.yml"`). Errors name the file and what was wrong with it,
 * never its content.
 *
 * @throws SettingsError: it cannot be read (with the errno code), is a folder, a device or a socket,
 *   or holds more bytes or lines than FILE_BOUNDS allows for `kind`.
 */
export function readBoundedFile(path: string, name: string, kind: FileKind): string {
  const bound = FILE_BOUNDS[kind];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new SettingsError(`${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new SettingsError(`${name} is a folder: give a file`);
    if (!info.isFile() && !info.isFIFO()) throw new SettingsError(`${name} is ${specialKind(info)}, not a file: give a file`);
    if (info.size > bound.maxBytes) throw tooLarge(name, kind, `${formatBytes(info.size)}`);
    const bytes = readUpTo(fd, bound.maxBytes, name);
    if (bytes === undefined) throw tooLarge(name, kind, 'larger');
    if (bound.maxLines !== undefined) {
      const lines = lineCount(bytes, bound.maxLines);
      if (lines > bound.maxLines) throw new SettingsError(`${name} has more than ${bound.maxLines.toLocaleString('en-US')} lines, the most a ${kind} file may hold: ${bound.why}`);
    }
    return bytes.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads at most `limit` bytes; undefined when there is more. */
function readUpTo(fd: number, limit: number, name: string): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      throw new SettingsError(`${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    if (read === 0) return Buffer.concat(chunks, total);
    chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
    total += read;
    if (total > limit) return undefined;
  }
}

/** Lines in `bytes` (a last line without a newline counts), counting no further than `limit + 1`. */
function lineCount(bytes: Buffer, limit: number): number {
  let lines = 0;
  let at = 0;
  while (at < bytes.length && lines <= limit) {
    const newline = bytes.indexOf(10, at);
    lines++;
    if (newline < 0) break;
    at = newline + 1;
  }
  return lines;
}

function tooLarge(name: string, kind: FileKind, size: string): SettingsError {
  const bound = FILE_BOUNDS[kind];
  const what = size === 'larger' ? 'is larger than' : `is ${size}, more than`;
  return new SettingsError(`${name} ${what} ${formatBytes(bound.maxBytes)}, the most a ${kind} file may hold: ${bound.why}`);
}

function specialKind(info: Stats): string {
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'a special file';
}

/** 67108864 -> "64 MiB"; 1500 -> "1500 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MIB) return `${Math.round(bytes / 1024)} KiB`;
  return `${Math.round((bytes / MIB) * 10) / 10} MiB`;
}
