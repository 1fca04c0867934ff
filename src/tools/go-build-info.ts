/** What a Go binary says about its own build (the data `go version -m` prints). */
export interface GoBuildInfo {
  goVersion: string;
  /** The main module's version; "(devel)" for a build from a checkout. */
  moduleVersion?: string;
  /** The commit the binary was built from, when built from a git checkout in module mode. */
  vcsRevision?: string;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Go 1.18+ writes the strings inline after a 32-byte header when this flag is set. */
const FLAG_INLINE_STRINGS = 0x2;
const SENTINEL_LENGTH = 16;

/**
 * Reads the build information that Go 1.18 and later embed in every binary. Older layouts keep
 * pointers instead of inline strings and are not read: the result is then undefined.
 */
export function readGoBuildInfo(binary: Buffer): GoBuildInfo | undefined {
  const at = binary.indexOf(MAGIC);
  if (at < 0 || ((binary[at + MAGIC.length + 1] ?? 0) & FLAG_INLINE_STRINGS) === 0) return undefined;
  let offset = at + 32;
  const readString = (): string | undefined => {
    let length = 0;
    let shift = 0;
    for (;;) {
      const byte = binary[offset++];
      if (byte === undefined || shift > 28) return undefined;
      length |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    if (offset + length > binary.length) return undefined;
    const text = binary.subarray(offset, offset + length).toString('utf8');
    offset += length;
    return text;
  };
  const goVersion = readString();
  if (!goVersion?.startsWith('go')) return undefined;
  const info: GoBuildInfo = { goVersion };
  const framed = readString() ?? '';
  const modinfo = framed.length > 2 * SENTINEL_LENGTH ? framed.slice(SENTINEL_LENGTH, -SENTINEL_LENGTH) : '';
  for (const line of modinfo.split('\n')) {
    const [key, ...rest] = line.split('\t');
    if (key === 'mod' && rest[1]) info.moduleVersion = rest[1];
    if (key === 'build' && rest[0]?.startsWith('vcs.revision=')) info.vcsRevision = rest[0].slice('vcs.revision='.length);
  }
  return info;
}
