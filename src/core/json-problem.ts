/**
 * Why `text` is not JSON (`error` is what JSON.parse threw for it), said without quoting it: where
 * (line and column, counted as editors count them) and what was expected there. V8's own message quotes the start of the text ("Unexpected token
 * 'r', "root:*:19"... is not valid JSON"), which would put a file's content (a key, /etc/shadow)
 * in an error; this never does.
 */
export function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const positioned = / in JSON at position (\d+)/.exec(message);
  if (positioned) return `${message.slice(0, positioned.index).toLowerCase()} at ${placeOf(text, Number(positioned[1]))}`;
  if (/^Unexpected end of JSON input/.test(message)) return text.trim() === '' ? 'it is empty' : `it ends early, at ${placeOf(text, text.length)}`;
  return `unexpected character at ${placeOf(text, firstBadOffset(text))}`;
}

/**
 * The offset of the first character no JSON text can continue with. A prefix that some JSON text
 * starts with either parses or ends early, and every shorter prefix of it does too, so the first
 * bad offset is found by bisection.
 */
function firstBadOffset(text: string): number {
  const viable = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      // A prefix cut inside a value ends early; V8 says so either in words or by a position at its end.
      const message = (error as Error).message;
      const positioned = / in JSON at position (\d+)/.exec(message);
      return /^Unexpected end of JSON input/.test(message) || (positioned !== null && Number(positioned[1]) >= length);
    }
  };
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (viable(middle)) good = middle;
    else bad = middle;
  }
  return bad - 1;
}

/** "line 3, column 7" (both from 1); "column 7" for a text of one line. */
function placeOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return text.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}
