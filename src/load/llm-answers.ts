import type { GoodputObjective } from '../record/goodput.js';
import type { BadAnswerSample } from '../record/result.js';
import { TokenRecorder, type TokenSnapshot } from '../record/token-recorder.js';
import type { AnswerReader, ApiAdapter } from '../target/apis/api.js';

/** What a worker hands over at the end about its answers. */
export interface AnswerSnapshot {
  tokens: TokenSnapshot;
  badAnswers: number;
  /** The first few bad answers, at most MAX_SAMPLES. */
  samples: BadAnswerSample[];
}

/** Bad answers a worker keeps samples of: enough to see what went wrong, never a flood. */
export const MAX_SAMPLES = 3;

/** When a request was planned and sent, and what it was built to hold. */
export interface SentRequest {
  intendedMs: number;
  sentMs: number;
  plannedInputTokens: number;
  /** The request belongs to the measured window (not warm-up). */
  measured: boolean;
}

/**
 * A worker's side of reading answers: one reader per connection (the API adapter's), whose
 * verdict decides whether a 2xx answer is valid, and whose token times go to the TokenRecorder.
 * The connection feeds it body bytes as they arrive; nothing here allocates per token.
 */
export class LlmAnswers {
  private readonly readers: AnswerReader[];
  readonly recorder: TokenRecorder;
  /**
   * Where valid answers go, by whether they were measured: [a throwaway recorder that takes the
   * warm-up's (see SendContext's rehearsal; undefined without a warm-up and once measuring),
   * `recorder`]. One call site for both: the warm-up's answers thus compile the measured ones' code,
   * which a branch of their own would compile in the window's first second.
   */
  private readonly recordInto: [TokenRecorder | undefined, TokenRecorder];
  private badAnswers = 0;
  private readonly samples: BadAnswerSample[] = [];

  /** `rehearse`: the run has a warm-up, whose valid answers go to a throwaway recorder. */
  constructor(adapter: ApiAdapter, connections: number, corrected: boolean, objectives: readonly GoodputObjective[], rehearse = false) {
    this.readers = Array.from({ length: connections }, () => adapter.answerReader()!);
    this.recorder = new TokenRecorder(corrected, objectives);
    this.recordInto = [rehearse ? new TokenRecorder(corrected, objectives) : undefined, this.recorder];
  }

  /** Measuring starts: warm-up answers are no longer recorded anywhere. */
  endRehearsal(): void {
    this.recordInto[0] = undefined;
  }

  begin(connection: number, nowMs: number): void {
    this.readers[connection]!.begin(nowMs);
  }

  body(connection: number, bytes: Buffer, start: number, end: number, nowMs: number): void {
    this.readers[connection]!.body(bytes, start, end, nowMs);
  }

  /**
   * The answer on `connection` is complete. Returns undefined when it is a valid answer of the
   * protocol (its figures recorded when measured), else the problem: the caller counts the
   * request as a `bad_response` error.
   */
  finish(connection: number, status: number, sent: SentRequest, nowMs: number): string | undefined {
    const reader = this.readers[connection]!;
    const problem = reader.end(nowMs);
    if (problem !== undefined) {
      if (!sent.measured) return problem;
      this.badAnswers++;
      if (this.samples.length < MAX_SAMPLES) this.samples.push({ problem, status, sample: reader.sample() });
      return problem;
    }
    const recorder = this.recordInto[sent.measured ? 1 : 0];
    if (recorder) this.record(recorder, reader, sent, nowMs);
    return undefined;
  }

  snapshot(): AnswerSnapshot {
    return { tokens: this.recorder.snapshot(), badAnswers: this.badAnswers, samples: [...this.samples] };
  }

  private record(recorder: TokenRecorder, reader: AnswerReader, sent: SentRequest, nowMs: number): void {
    recorder.record({
      intendedMs: sent.intendedMs,
      sentMs: sent.sentMs,
      endMs: nowMs,
      tokenTimes: reader.tokenTimes,
      tokenEvents: reader.tokenEvents,
      streamed: reader.streamed,
      endedWithoutDone: reader.endedWithoutDone,
      completionTokens: reader.completionTokens,
      promptTokens: reader.promptTokens,
      plannedInputTokens: sent.plannedInputTokens,
    });
  }
}
