import type { AnswerReader } from './api.js';
import { AnswerBase, BodyCollector } from './answer-base.js';

/** Judges one whole body: undefined when it is a valid answer, else why not (one line). */
export type AnswerCheck = (body: Buffer) => string | undefined;

/**
 * A reader for protocols without a token stream (KServe v1/v2, Triton, TorchServe): it collects
 * the body and judges it whole when it ends. Collecting copies the body, which is why raw answers
 * (the seed's default) get no reader at all.
 */
export class WholeAnswerReader extends AnswerBase implements AnswerReader {
  private readonly collected = new BodyCollector();

  constructor(private readonly check: AnswerCheck) {
    super();
  }

  begin(): void {
    this.resetAnswer();
    this.collected.reset();
  }

  body(bytes: Buffer, start: number, end: number): void {
    this.keep(bytes, start, end);
    this.collected.add(bytes, start, end);
  }

  end(): string | undefined {
    if (this.collected.overflow) return 'the answer is larger than modelprof checks';
    if (this.collected.length === 0) return 'empty answer: no body';
    return this.check(this.collected.bytes());
  }
}
