import picocolors from 'picocolors';

type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Whether to colour what goes to `stream`: never with NO_COLOR set (no-color.org), always with
 * FORCE_COLOR set to anything but 0 or false, else only on a terminal (pipes, files and CI logs stay
 * plain). Decided per stream: stdout may be a file while stderr is a terminal.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/** How each kind of console line is shown: the verdicts, reasons and warnings stand out. */
const LINE_STYLES: readonly [RegExp, (c: Colors, line: string) => string][] = [
  [/^TARGET ERROR\b/, (c, line) => c.bold(c.red(line))],
  [/^HIGH ERROR RATE\b/, (c, line) => c.bold(c.red(line))],
  [/^RUN VALID\b/, (c, line) => c.bold(c.green(line))],
  [/^RUN INVALID\b/, (c, line) => c.bold(c.yellow(line))],
  [/^ {2}x /, (c, line) => c.red(line)],
  [/^ {2}! /, (c, line) => c.yellow(line)],
  [/^pass {2}/, (c, line) => c.green(line)],
  [/^FAIL {2}/, (c, line) => c.red(line)],
  [/^(n\/a|not judged)\b/, (c, line) => c.dim(line)],
  [/^SLA passed\b/, (c, line) => c.bold(c.green(line))],
  [/^SLA not judged\b/, (c, line) => c.bold(c.yellow(line))],
  [/^(SLA failed|run invalid, no verdict)\b/, (c, line) => c.bold(c.red(line))],
  [/^(MAX RATE|MOST LOAD WITHIN|CHEAPEST THAT MEETS)\b/, (c, line) => c.bold(c.green(line))],
  [/^(NO RATE|NO DEPLOYMENT|NO POINT WITH A VERDICT|INCOMPLETE)\b/, (c, line) => c.bold(c.red(line))],
  [/^(TIED|AT LEAST)\b/, (c, line) => c.bold(c.yellow(line))],
  [/^result: no regression\b/, (c, line) => c.bold(c.green(line))],
  [/^result: /, (c, line) => c.bold(c.red(line))],
  [/ REGRESSION$/, (c, line) => c.red(line)],
  [/^(modelprof: |\s*)(warning|note):/, (c, line) => c.yellow(line)],
];

/** Colours the lines of a console text by what they say, when `stream` wants colour. */
export function paint(text: string, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): string {
  if (!colourWanted(stream, env)) return text;
  const colors = picocolors.createColors(true);
  return text
    .split('\n')
    .map((line) => {
      const style = LINE_STYLES.find(([pattern]) => pattern.test(line));
      return style ? style[1](colors, line) : line;
    })
    .join('\n');
}

/** Writes a console text to stdout, coloured when stdout wants colour. */
export function writeOut(text: string): void {
  process.stdout.write(paint(text, process.stdout));
}

/** Writes a console text to stderr, coloured when stderr wants colour. */
export function writeErr(text: string): void {
  process.stderr.write(paint(text, process.stderr));
}

/** A failure's line on stderr: red when stderr wants colour. */
export function errorLine(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return colourWanted(process.stderr, env) ? picocolors.createColors(true).red(text) : text;
}
