/**
 * A min-heap of (id, due time) for the plan-driven senders: which free connection is due next.
 * Fixed capacity, preallocated: pushing and popping allocate nothing.
 */
export class DueQueue {
  private readonly ids: Int32Array;
  private readonly due: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.due = new Float64Array(capacity);
  }

  push(id: number, dueMs: number): void {
    let index = this.size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.due[parent]! <= dueMs) break;
      this.ids[index] = this.ids[parent]!;
      this.due[index] = this.due[parent]!;
      index = parent;
    }
    this.ids[index] = id;
    this.due[index] = dueMs;
  }

  /** Due time of the earliest entry; Infinity when empty. */
  peekDue(): number {
    return this.size > 0 ? this.due[0]! : Infinity;
  }

  /** Removes the earliest entry and returns its id. */
  pop(): number {
    const top = this.ids[0]!;
    const lastId = this.ids[--this.size]!;
    const lastDue = this.due[this.size]!;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.due[child + 1]! < this.due[child]!) child++;
      if (this.due[child]! >= lastDue) break;
      this.ids[index] = this.ids[child]!;
      this.due[index] = this.due[child]!;
      index = child;
    }
    this.ids[index] = lastId;
    this.due[index] = lastDue;
    return top;
  }
}
