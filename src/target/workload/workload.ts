/** One chat message as the OpenAI chat completions API takes it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/**
 * What one request asks of a model, independent of the protocol that carries it. An API adapter
 * turns it into a body: chat messages for a chat API, one prompt string for the others.
 */
export interface WorkloadItem {
  /** Chat messages; absent when the item is a plain prompt. */
  readonly messages?: readonly ChatMessage[];
  /** A plain prompt; absent when the item is chat messages. */
  readonly prompt?: string;
  /** Input tokens the item was built to hold (synthetic and trace workloads); absent when unknown. */
  readonly inputTokens?: number;
  /** Output tokens to ask for (max_tokens); absent lets the server decide. */
  readonly outputTokens?: number;
}

/** A source of requests, addressed by request index so any sender can build any request. */
export interface Workload {
  /** Distinct items; request `i` uses item `i % size`. */
  readonly size: number;
  item(index: number): WorkloadItem;
  /** For the report, e.g. "synthetic: 512±64 input tokens, 128 output tokens". */
  readonly description: string;
}

/** The item as chat messages: a plain prompt becomes one user message. */
export function messagesOf(item: WorkloadItem): readonly ChatMessage[] {
  return item.messages ?? [{ role: 'user', content: item.prompt ?? '' }];
}

/** The item as one prompt string: chat messages are joined by blank lines, in order. */
export function promptOf(item: WorkloadItem): string {
  return item.prompt ?? (item.messages ?? []).map((message) => message.content).join('\n\n');
}
