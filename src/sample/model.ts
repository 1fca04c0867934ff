import { seededRandom } from '../core/seeded-random.js';

/**
 * The sample endpoint's model: a small fixed-weight MLP classifier, 10 features -> 3 class
 * probabilities. It does real arithmetic so that latency and capacity behave like a CPU-bound
 * scoring container; weights come from a seeded PRNG so every process gives the same answers.
 */

/** Features per row, as in the seed's example payload `{"data": [[1,...,10]]}`. */
export const FEATURE_COUNT = 10;
export const CLASS_COUNT = 3;
const HIDDEN_WIDTH = 128;
/** Hidden layers at workFactor 1: chosen so one row costs about 0.45 ms of CPU (measured on a 2-core dev machine). */
export const BASE_DEPTH = 20;
/** Hidden layers cycle through this many distinct weight matrices, so memory stays flat at any depth. */
const DISTINCT_HIDDEN_LAYERS = 4;
const WEIGHT_SEED = 0x5eed;
/** Probabilities are rounded so answers are short and compare exactly. */
const OUTPUT_DECIMALS = 1e6;

interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major: weights[o * inputs + i]. */
  readonly weights: Float64Array;
  readonly biases: Float64Array;
}

export interface Model {
  /** Hidden layers run per row; compute per row is proportional to it. */
  readonly depth: number;
  /** Scores `rows` rows laid out flat (row r is features[r*10 .. r*10+9]); returns one probability vector per row. */
  predict(features: Float64Array, rows: number): number[][];
}

/** Hidden layers for a work factor: compute per row scales with it, in steps of 1/BASE_DEPTH. */
export function depthForWorkFactor(workFactor: number): number {
  return Math.max(0, Math.round(BASE_DEPTH * workFactor));
}

export function createModel(workFactor: number): Model {
  const random = seededRandom(WEIGHT_SEED);
  const embedding = randomLayer(FEATURE_COUNT, HIDDEN_WIDTH, random);
  const hidden = Array.from({ length: DISTINCT_HIDDEN_LAYERS }, () => randomLayer(HIDDEN_WIDTH, HIDDEN_WIDTH, random));
  const head = randomLayer(HIDDEN_WIDTH, CLASS_COUNT, random);
  const depth = depthForWorkFactor(workFactor);
  let current = new Float64Array(HIDDEN_WIDTH);
  let next = new Float64Array(HIDDEN_WIDTH);
  const logits = new Float64Array(CLASS_COUNT);

  function predictRow(input: Float64Array): number[] {
    applyTanh(embedding, input, current);
    for (let layer = 0; layer < depth; layer++) {
      applyTanh(hidden[layer % DISTINCT_HIDDEN_LAYERS]!, current, next);
      [current, next] = [next, current];
    }
    applyLinear(head, current, logits);
    return softmax(logits);
  }

  return {
    depth,
    predict(features, rows) {
      const result: number[][] = [];
      for (let row = 0; row < rows; row++) {
        result.push(predictRow(features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT)));
      }
      return result;
    },
  };
}

function randomLayer(inputs: number, outputs: number, random: () => number): Layer {
  // Uniform with variance 1/inputs keeps tanh activations away from saturation layer after layer.
  const scale = Math.sqrt(3 / inputs);
  const weights = new Float64Array(inputs * outputs);
  for (let k = 0; k < weights.length; k++) weights[k] = (random() * 2 - 1) * scale;
  const biases = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) biases[k] = (random() * 2 - 1) * 0.1;
  return { inputs, outputs, weights, biases };
}

function applyLinear(layer: Layer, input: Float64Array, output: Float64Array): void {
  const { inputs, outputs, weights, biases } = layer;
  for (let o = 0; o < outputs; o++) {
    let sum = biases[o]!;
    const base = o * inputs;
    for (let i = 0; i < inputs; i++) sum += weights[base + i]! * input[i]!;
    output[o] = sum;
  }
}

function applyTanh(layer: Layer, input: Float64Array, output: Float64Array): void {
  applyLinear(layer, input, output);
  for (let o = 0; o < layer.outputs; o++) output[o] = Math.tanh(output[o]!);
}

function softmax(logits: Float64Array): number[] {
  let max = -Infinity;
  for (const value of logits) max = Math.max(max, value);
  let total = 0;
  const exps = Array.from(logits, (value) => {
    const e = Math.exp(value - max);
    total += e;
    return e;
  });
  return exps.map((e) => Math.round((e / total) * OUTPUT_DECIMALS) / OUTPUT_DECIMALS);
}
