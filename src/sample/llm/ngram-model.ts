/**
 * The sample endpoint's language model: a character-level n-gram model with Jelinek-Mercer
 * interpolation (Jelinek and Mercer, 1980; see Jurafsky and Martin, "Speech and Language
 * Processing", ch. 3), built at start from the shipped public-domain text. Each next character is
 * drawn from P(c | last n chars) = sum over orders k = 0..n of w_k * count(context_k + c) / count(context_k),
 * evaluated for every character of the alphabet: real work per character, so a token (a word
 * with its leading space or punctuation) costs compute in proportion to its length, as a forward
 * pass would. The text it writes reads like the source, loosely.
 */
export interface TokenModel {
  /** Characters the model writes. */
  readonly alphabet: string;
  /** The next token after `context` (the text so far): one word and what precedes it. `random` gives uniform draws in [0, 1). */
  nextToken(context: string, random: () => number): string;
  /** Tokens in `text` as this model counts them: runs of non-space characters. */
  countTokens(text: string): number;
}

/** Longest context, in characters. */
export const NGRAM_ORDER = 5;
/** Longest token, in characters: a run that reaches it ends there. */
const MAX_TOKEN_CHARS = 16;

export function buildNgramModel(text: string, order = NGRAM_ORDER): TokenModel {
  const source = text.replace(/\s+/g, ' ');
  const alphabet = [...new Set(source)].sort().join('');
  /** counts[k]: context of k characters + next character -> count; totals[k]: context -> count. */
  const counts: Map<string, number>[] = [];
  const totals: Map<string, number>[] = [];
  for (let k = 0; k <= order; k++) {
    const pairs = new Map<string, number>();
    const contexts = new Map<string, number>();
    for (let i = k; i < source.length; i++) {
      const context = source.slice(i - k, i);
      const pair = source.slice(i - k, i + 1);
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
      contexts.set(context, (contexts.get(context) ?? 0) + 1);
    }
    counts.push(pairs);
    totals.push(contexts);
  }
  // Longer contexts weigh more; the weights sum to 1.
  const raw = Array.from({ length: order + 1 }, (_, k) => 8 ** k);
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((weight) => weight / sum);
  const probabilities = new Float64Array(alphabet.length);

  function nextChar(context: string, random: () => number): string {
    probabilities.fill(0);
    let mass = 0;
    for (let k = 0; k <= order && k <= context.length; k++) {
      const history = context.slice(context.length - k);
      const total = totals[k]!.get(history);
      if (total === undefined) continue;
      const pairs = counts[k]!;
      const weight = weights[k]! / total;
      mass += weights[k]!;
      for (let c = 0; c < alphabet.length; c++) {
        const count = pairs.get(history + alphabet[c]);
        if (count !== undefined) probabilities[c] += weight * count;
      }
    }
    let draw = random() * mass;
    for (let c = 0; c < alphabet.length; c++) {
      draw -= probabilities[c]!;
      if (draw < 0) return alphabet[c]!;
    }
    return ' ';
  }

  return {
    alphabet,
    nextToken(context, random) {
      let history = context.slice(-order);
      let token = '';
      // A token is the separators before a word and the word itself; it ends where the next separator would start.
      let inWord = false;
      while (token.length < MAX_TOKEN_CHARS) {
        const char = nextChar(history, random);
        const separator = char === ' ';
        if (inWord && separator) break;
        if (!separator) inWord = true;
        token += char;
        history = (history + char).slice(-order);
      }
      return token;
    },
    countTokens(text) {
      return text.split(/\s+/).filter((part) => part !== '').length;
    },
  };
}
