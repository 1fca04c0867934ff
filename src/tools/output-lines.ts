import { ToolError } from '../core/errors.js';

/** Longest piece of a line quoted in an error, so one bad line cannot flood the terminal. */
const QUOTE_LIMIT = 160;

/**
 * A program's output read strictly, line by line. Every read says what it expected; the first line
 * that is not that (or the end of the output coming too soon) becomes a ToolError that names the
 * tool and quotes the line. Parsers built on it fail loudly instead of returning a wrong number.
 */
export class OutputLines {
  private readonly lines: string[];
  private index = 0;

  /** `source` names where the text came from in messages, e.g. "stdout" or "res.hgrm". */
  constructor(
    readonly tool: string,
    readonly source: string,
    text: string,
  ) {
    this.lines = text.replace(/\r\n/g, '\n').split('\n');
    while (this.lines.length > 0 && this.lines[this.lines.length - 1]!.trim() === '') this.lines.pop();
  }

  get atEnd(): boolean {
    return this.index >= this.lines.length;
  }

  /** 1-based number of the line the next read will look at. */
  get nextLineNumber(): number {
    return this.index + 1;
  }

  /** The next line must match; returns the match. */
  expect(pattern: RegExp, expected: string): RegExpExecArray {
    const match = this.accept(pattern);
    if (match) return match;
    throw this.atEnd ? this.endedEarly(expected) : this.unexpectedAt(this.index + 1, `expected ${expected}`);
  }

  /** Consumes the next line only if it matches. */
  accept(pattern: RegExp): RegExpExecArray | undefined {
    const line = this.lines[this.index];
    if (line === undefined) return undefined;
    const match = pattern.exec(line);
    if (!match) return undefined;
    this.index++;
    return match;
  }

  /** Consumes lines while they match, returning the matches. */
  acceptAll(pattern: RegExp): RegExpExecArray[] {
    const matches: RegExpExecArray[] = [];
    for (let match = this.accept(pattern); match; match = this.accept(pattern)) matches.push(match);
    return matches;
  }

  /** Nothing but blank lines may follow. */
  expectEnd(): void {
    if (!this.atEnd) throw this.unexpectedAt(this.index + 1, 'expected the end of the output');
  }

  /** An error about a line already read (1-based number), e.g. a figure that contradicts another. */
  unexpectedAt(lineNumber: number, problem: string): ToolError {
    const line = this.lines[lineNumber - 1] ?? '';
    return new ToolError(`${this.tool} printed output modelprof cannot read (${this.source} line ${lineNumber}: ${quote(line)}): ${problem}`);
  }

  private endedEarly(expected: string): ToolError {
    if (this.lines.length === 0) return new ToolError(`${this.tool} printed nothing on ${this.source}: expected ${expected}`);
    const last = this.lines.length;
    return new ToolError(
      `${this.tool}'s ${this.source} ended early after line ${last} (${quote(this.lines[last - 1]!)}): expected ${expected}`,
    );
  }
}

function quote(line: string): string {
  const shown = line.length > QUOTE_LIMIT ? `${line.slice(0, QUOTE_LIMIT)}…` : line;
  return JSON.stringify(shown.trim());
}

