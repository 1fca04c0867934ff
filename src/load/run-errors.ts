import { redactSample, secretsOf } from '../target/apis/answer-sample.js';
import { payloadLineErrors, type ErrorSample, type PayloadLineErrors } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import { BODIES_PER_STATUS, type ErrorBodySample } from './error-bodies.js';

/** What the workers saw of the target's errors beyond the counts: bodies, and which payload lines failed. */

/** The workers' error bodies, BODIES_PER_STATUS per status in all, redacted here where the secrets are known. */
export function errorSamples(settings: Settings, bodies: readonly ErrorBodySample[]): { samples?: ErrorSample[] } {
  const kept = new Map<number, number>();
  const secrets = secretsOf(settings.headers, settings.url, settings.secretHeaders);
  const samples: ErrorSample[] = [];
  for (const body of bodies) {
    const count = kept.get(body.status) ?? 0;
    if (count >= BODIES_PER_STATUS) continue;
    kept.set(body.status, count + 1);
    samples.push({
      status: body.status,
      ...(body.lineIndex === undefined ? {} : { line: lineNumberOf(settings, body.lineIndex) }),
      sample: redactSample(body.body, secrets),
      ...(body.truncated ? { truncated: true } : {}),
    });
  }
  samples.sort((a, b) => a.status - b.status);
  return samples.length > 0 ? { samples } : {};
}

/** A payload line's number in the file, 1-based, from its place in this process's rotation (a shard holds every COUNT-th line). */
function lineNumberOf(settings: Settings, index: number): number {
  const shard = settings.shard;
  return shard ? index * shard.count + shard.index + 1 : index + 1;
}

/** Errors per payload line, numbered as in the payload file (a shard's line i is the file's line i x COUNT + INDEX). */
export function byPayloadLine(settings: Settings, counts: readonly { requests: Uint32Array; errors: Uint32Array }[]): { byPayloadLine?: PayloadLineErrors } {
  const shard = settings.shard;
  const lines = shard ? shard.run.payload.bodies.length : settings.payload.bodies.length;
  const errors = payloadLineErrors(counts, lines, (index) => lineNumberOf(settings, index));
  return errors ? { byPayloadLine: errors } : {};
}
