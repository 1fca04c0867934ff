/** Error answers whose body is kept, per HTTP status, per worker: enough to see what the target said. */
export const BODIES_PER_STATUS = 3;
/** The first bytes of a body kept; the rest is cut (and said to be). */
export const BODY_BYTES = 512;

/** An error answer's body as the worker kept it; the main thread redacts it before any report sees it. */
export interface ErrorBodySample {
  status: number;
  /** The payload line's place in the rotation, when there is more than one line. */
  lineIndex?: number;
  body: string;
  truncated: boolean;
}

/**
 * Keeps the first bodies of error answers, a few per status. Only answers of a status still wanted
 * cost anything: every other body chunk returns after one comparison, so the hot path stays cheap.
 */
export class ErrorBodySampler {
  readonly samples: ErrorBodySample[] = [];
  private readonly kept = new Map<number, number>();
  /** Per connection id: the body so far of the error answer in flight. */
  private readonly pending: (Buffer | undefined)[] = [];
  private readonly seen: number[] = [];

  wants(status: number): boolean {
    return status >= 400 && (this.kept.get(status) ?? 0) < BODIES_PER_STATUS;
  }

  /** Body bytes data[start, end) of the answer in flight on connection `id`. */
  body(id: number, status: number, data: Buffer, start: number, end: number): void {
    if (!this.wants(status)) return;
    this.seen[id] = (this.seen[id] ?? 0) + (end - start);
    const held = this.pending[id];
    const room = BODY_BYTES - (held?.length ?? 0);
    if (room <= 0) return;
    // A copy: the read buffer is reused.
    const part = Buffer.from(data.subarray(start, Math.min(end, start + room)));
    this.pending[id] = held ? Buffer.concat([held, part]) : part;
  }

  /** The answer on connection `id` ended (any outcome): its body is kept if its status is still wanted. */
  finish(id: number, status: number | undefined, lineIndex: number | undefined): void {
    const body = this.pending[id];
    const seen = this.seen[id] ?? 0;
    this.pending[id] = undefined;
    this.seen[id] = 0;
    if (status === undefined || !this.wants(status)) return;
    this.kept.set(status, (this.kept.get(status) ?? 0) + 1);
    this.samples.push({ status, ...(lineIndex === undefined ? {} : { lineIndex }), body: body?.toString('utf8') ?? '', truncated: seen > BODY_BYTES });
  }
}
