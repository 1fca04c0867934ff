import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEXT_NAME = 'lincoln-annual-messages.txt';
/** Words a synthetic prompt draws from: the most frequent short words, each one token (with its leading space) for common BPE tokenizers. */
const VOCABULARY_SIZE = 1000;
const MAX_WORD_LETTERS = 7;

let text: string | undefined;
let vocabulary: readonly string[] | undefined;

/**
 * The public-domain text shipped in `assets/texts/` (see its README for the source). Found from
 * this module's place both when run from `dist/src/...` and from a packed package.
 */
export function publicText(): string {
  if (text === undefined) {
    const candidates = ['../../../../assets/texts/', '../../../assets/texts/'].map((relative) => fileURLToPath(new URL(relative + TEXT_NAME, import.meta.url)));
    const path = candidates.find((candidate) => existsSync(candidate));
    if (path === undefined) throw new Error(`the shipped text ${TEXT_NAME} is missing (looked in ${candidates.join(', ')})`);
    text = readFileSync(path, 'utf8');
  }
  return text;
}

/** The text's most frequent lower-case words of up to 7 letters, most frequent first. */
export function publicVocabulary(): readonly string[] {
  if (vocabulary === undefined) {
    const counts = new Map<string, number>();
    for (const word of publicText().toLowerCase().match(/[a-z]+/g) ?? []) {
      if (word.length <= MAX_WORD_LETTERS) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    vocabulary = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, VOCABULARY_SIZE)
      .map(([word]) => word);
  }
  return vocabulary;
}
