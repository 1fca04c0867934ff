import { FEATURE_COUNT } from './model.js';

/** A valid /score body, flattened for the model: row r is features[r*10 .. r*10+9]. */
export interface ScoringInput {
  readonly features: Float64Array;
  readonly rows: number;
}

export type ScoringInputResult = { readonly ok: true; readonly input: ScoringInput } | { readonly ok: false; readonly message: string };

/** Reads `{"data": [[10 numbers], ...]}`; a bad body gives a one-line message for the 400 answer. */
export function parseScoringInput(body: string): ScoringInputResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return invalid('body must be JSON like {"data": [[10 numbers], ...]}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('body must be a JSON object with a "data" field');
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) return invalid('"data" must be an array of rows');
  if (data.length === 0) return invalid('"data" must hold at least one row');
  const features = new Float64Array(data.length * FEATURE_COUNT);
  for (let row = 0; row < data.length; row++) {
    const values: unknown = data[row];
    if (!Array.isArray(values) || values.length !== FEATURE_COUNT) {
      const got = Array.isArray(values) ? `${values.length} items` : typeof values;
      return invalid(`data[${row}] must be an array of ${FEATURE_COUNT} numbers, got ${got}`);
    }
    for (let column = 0; column < FEATURE_COUNT; column++) {
      const value: unknown = values[column];
      // JSON.parse turns 1e999 into Infinity, which the model cannot use.
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return invalid(`data[${row}][${column}] must be a finite number, got ${describe(value)}`);
      }
      features[row * FEATURE_COUNT + column] = value;
    }
  }
  return { ok: true, input: { features, rows: data.length } };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'number' ? String(value) : typeof value;
}

function invalid(message: string): ScoringInputResult {
  return { ok: false, message };
}
