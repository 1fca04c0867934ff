import { SettingsError } from '../../core/errors.js';
import { promptOf, type WorkloadItem } from '../workload/workload.js';
import type { AnswerReader, ApiAdapter, RequestOptions } from './api.js';
import { clip, errorMessageOf, isObject, parseJson } from './answer-base.js';
import { payloadObject } from './json-body.js';
import { WholeAnswerReader } from './whole-answer.js';

/** Tensor data types of the Open Inference Protocol (and Triton's BF16). */
const DATATYPES = new Set(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES']);

/**
 * KServe's V2 data plane, the Open Inference Protocol, which Triton's HTTP API implements:
 * `POST /v2/models/<m>/infer` with `{"inputs": [{"name", "shape", "datatype", "data"}, ...]}`.
 * A valid answer is `{"model_name", "outputs": [{"name", "shape", "datatype", "data"}, ...]}` whose
 * every output holds as many values as its shape says; Triton's binary tensor extension (a JSON
 * header followed by raw tensors, each output giving `parameters.binary_data_size`) is accepted
 * when the bytes after the header add up. Errors are `{"error": "..."}`.
 * A workload item becomes a BYTES tensor `text_input` and, with an output length, an INT32
 * `max_tokens` tensor: the input names of Triton's TensorRT-LLM ensemble.
 */
export const kserveV2: ApiAdapter = {
  name: 'kserve-v2',
  route: (model: string) => `/v2/models/${encodeURIComponent(model)}/infer`,
  bodyFor(item: WorkloadItem): string {
    const inputs: unknown[] = [{ name: 'text_input', shape: [1], datatype: 'BYTES', data: [promptOf(item)] }];
    if (item.outputTokens !== undefined) inputs.push({ name: 'max_tokens', shape: [1], datatype: 'INT32', data: [item.outputTokens] });
    return JSON.stringify({ inputs });
  },
  fromPayload(line: string, _options: RequestOptions, where: string): string {
    const body = payloadObject(line, where, 'kserve-v2', 'an object with an "inputs" array');
    if (!Array.isArray(body['inputs'])) throw new SettingsError(`${where} has no "inputs" array: --api kserve-v2 expects {"inputs": [{"name", "shape", "datatype", "data"}]}`);
    return line;
  },
  answerReader: (): AnswerReader => new WholeAnswerReader(checkV2Answer),
};

export function checkV2Answer(body: Buffer): string | undefined {
  const headerEnd = jsonObjectEnd(body);
  if (headerEnd < 0) return 'the answer is not a JSON object';
  const answer = parseJson(body.toString('utf8', 0, headerEnd));
  if (!isObject(answer)) return 'the answer is not a JSON object';
  const error = errorMessageOf(answer);
  if (error !== undefined) return `error object: ${clip(error)}`;
  const outputs = answer['outputs'];
  if (!Array.isArray(outputs) || outputs.length === 0) return 'the answer has no "outputs"';
  let binaryBytes = 0;
  for (const [index, output] of outputs.entries()) {
    if (!isObject(output)) return `outputs[${index}] is not an object`;
    const name = typeof output['name'] === 'string' ? `output "${output['name']}"` : `outputs[${index}]`;
    if (typeof output['name'] !== 'string') return `outputs[${index}] has no name`;
    if (typeof output['datatype'] !== 'string' || !DATATYPES.has(output['datatype'])) return `${name} has no valid datatype`;
    const shape = output['shape'];
    if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && (size as number) >= 0)) return `${name} has no valid shape`;
    const expected = (shape as number[]).reduce((product, size) => product * size, 1);
    const parameters = isObject(output['parameters']) ? output['parameters'] : {};
    if (output['data'] !== undefined) {
      const values = countValues(output['data']);
      if (values !== expected) return `${name} holds ${values} values for shape [${shape.join(', ')}]`;
    } else if (typeof parameters['binary_data_size'] === 'number') {
      binaryBytes += parameters['binary_data_size'];
    } else {
      return `${name} has no data`;
    }
  }
  const trailing = body.length - headerEnd;
  if (trailing !== binaryBytes) {
    return binaryBytes === 0 ? 'bytes follow the JSON answer' : `binary outputs announce ${binaryBytes} bytes, ${trailing} follow the JSON header`;
  }
  return undefined;
}

/** Leaf values of tensor data, nested or flat. */
function countValues(data: unknown): number {
  if (!Array.isArray(data)) return 1;
  let count = 0;
  for (const value of data) count += countValues(value);
  return count;
}

/**
 * Where the JSON object that opens `body` ends (exclusive), skipping leading whitespace; -1 when
 * the body does not open with a complete object. Triton puts binary tensors right after it.
 */
export function jsonObjectEnd(body: Buffer): number {
  let index = 0;
  while (index < body.length && (body[index] === 0x20 || body[index] === 0x0a || body[index] === 0x0d || body[index] === 0x09)) index++;
  if (body[index] !== 0x7b) return -1;
  let depth = 0;
  let inString = false;
  for (; index < body.length; index++) {
    const byte = body[index]!;
    if (inString) {
      if (byte === 0x5c) index++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) depth++;
    else if (byte === 0x7d || byte === 0x5d) {
      depth--;
      if (depth === 0) {
        index++;
        // Whitespace after the object is part of the JSON text.
        while (index < body.length && (body[index] === 0x20 || body[index] === 0x0a || body[index] === 0x0d || body[index] === 0x09)) index++;
        return index;
      }
    }
  }
  return -1;
}
