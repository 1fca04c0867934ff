import { SettingsError } from '../../core/errors.js';
import { promptOf, type WorkloadItem } from '../workload/workload.js';
import type { AnswerReader, ApiAdapter, RequestOptions } from './api.js';
import { clip, errorMessageOf, isObject, parseJson } from './answer-base.js';
import { payloadObject } from './json-body.js';
import { WholeAnswerReader } from './whole-answer.js';

/**
 * KServe's V1 data plane (TensorFlow Serving's REST predict API): `POST /v1/models/<m>:predict`
 * with `{"instances": [...]}` (row form) or `{"inputs": ...}` (columnar form); a valid answer is
 * `{"predictions": [...]}` or, for the columnar form, `{"outputs": ...}`. Errors are
 * `{"error": "..."}`. A workload item becomes one instance holding the prompt string, as KServe's
 * Hugging Face runtime takes text.
 */
export const kserveV1: ApiAdapter = {
  name: 'kserve-v1',
  route: (model: string) => `/v1/models/${encodeURIComponent(model)}:predict`,
  bodyFor: (item: WorkloadItem) => JSON.stringify({ instances: [promptOf(item)] }),
  fromPayload(line: string, _options: RequestOptions, where: string): string {
    const body = payloadObject(line, where, 'kserve-v1', 'an object with "instances" or "inputs"');
    if (!Array.isArray(body['instances']) && body['inputs'] === undefined) {
      throw new SettingsError(`${where} has neither an "instances" array nor "inputs": --api kserve-v1 expects one of them`);
    }
    return line;
  },
  answerReader: (): AnswerReader => new WholeAnswerReader(checkV1Answer),
};

export function checkV1Answer(body: Buffer): string | undefined {
  const answer = parseJson(body.toString('utf8'));
  if (!isObject(answer)) return 'the answer is not a JSON object';
  const error = errorMessageOf(answer);
  if (error !== undefined) return `error object: ${clip(error)}`;
  if (Array.isArray(answer['predictions']) || answer['outputs'] !== undefined) return undefined;
  return 'the answer has neither a "predictions" array nor "outputs"';
}
