import { promptOf, type WorkloadItem } from '../workload/workload.js';
import type { AnswerReader, ApiAdapter } from './api.js';
import { clip, isObject, parseJson } from './answer-base.js';
import { WholeAnswerReader } from './whole-answer.js';

/**
 * TorchServe's inference API: `POST /predictions/<m>` with whatever body the model's handler
 * takes, answered with whatever it returns. So a valid answer is any non-empty body that is not
 * TorchServe's error object `{"code": <status>, "type": "...", "message": "..."}`. A workload item
 * becomes `{"prompt", "max_new_tokens"}`, the request of TorchServe's LLM handler examples.
 */
export const torchServe: ApiAdapter = {
  name: 'torchserve',
  route: (model: string) => `/predictions/${encodeURIComponent(model)}`,
  bodyFor(item: WorkloadItem): string {
    const body: Record<string, unknown> = { prompt: promptOf(item) };
    if (item.outputTokens !== undefined) body['max_new_tokens'] = item.outputTokens;
    return JSON.stringify(body);
  },
  fromPayload: (line: string) => line,
  answerReader: (): AnswerReader => new WholeAnswerReader(checkTorchServeAnswer),
};

export function checkTorchServeAnswer(body: Buffer): string | undefined {
  // Only a body that opens like JSON can be the error object; anything else is the handler's own.
  if (body[0] !== 0x7b) return undefined;
  const answer = parseJson(body.toString('utf8'));
  if (isObject(answer) && typeof answer['code'] === 'number' && typeof answer['type'] === 'string' && typeof answer['message'] === 'string') {
    return `error object: ${answer['code']} ${answer['type']}: ${clip(answer['message'])}`;
  }
  return undefined;
}
