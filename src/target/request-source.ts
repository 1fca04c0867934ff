import type { ApiName, RequestOptions } from './apis/api.js';
import { apiAdapter } from './apis/registry.js';
import { encodeRequest } from './http-request.js';
import { workloadFrom, type WorkloadSpec } from './workload/workload-spec.js';


/**
 * Where a run's requests come from, as plain data: either every request encoded up front (payload
 * lines, the seed's way, shaped by the API adapter), or a workload whose requests are built when
 * first sent (a trace of long prompts would not fit in memory encoded).
 */
export type RequestSpec =
  | { kind: 'encoded'; requests: Uint8Array[] }
  | { kind: 'workload'; head: string; api: ApiName; options: RequestOptions; workload: WorkloadSpec };

/** One request ready to write. */
export interface PreparedRequest {
  readonly bytes: Buffer;
  /** Input tokens the request was built to hold; -1 when unknown. */
  readonly plannedInputTokens: number;
}

/** Requests by index: request `i` of a run is always the same bytes. */
export interface RequestSource {
  /** Distinct requests; index `i` gives request `i % size`. */
  readonly size: number;
  request(index: number): PreparedRequest;
}

/**
 * Built requests kept for reuse: all of a synthetic workload's 1,000; a window of a long trace's;
 * and never more than 64 MiB of them in one load thread (1,000 prompts of 1,000,000 tokens would
 * be 5 GB): longer prompts are built again when their turn comes.
 */
const CACHED_REQUESTS = 1024;
const CACHED_BYTES = 64 * 1024 * 1024;

export function requestSource(spec: RequestSpec): RequestSource {
  if (spec.kind === 'encoded') {
    const requests = spec.requests.map((bytes) => ({ bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), plannedInputTokens: -1 }));
    return { size: requests.length, request: (index) => requests[index % requests.length]! };
  }
  const workload = workloadFrom(spec.workload);
  const adapter = apiAdapter(spec.api);
  const cache = new Map<number, PreparedRequest>();
  let cachedBytes = 0;
  return {
    size: workload.size,
    request(index) {
      const key = index % workload.size;
      let prepared = cache.get(key);
      if (prepared === undefined) {
        const item = workload.item(key);
        prepared = { bytes: encodeRequest(spec.head, adapter.bodyFor(item, spec.options)), plannedInputTokens: item.inputTokens ?? -1 };
        while (cache.size > 0 && (cache.size >= CACHED_REQUESTS || cachedBytes + prepared.bytes.length > CACHED_BYTES)) {
          const oldest = cache.keys().next().value!;
          cachedBytes -= cache.get(oldest)!.bytes.length;
          cache.delete(oldest);
        }
        cache.set(key, prepared);
        cachedBytes += prepared.bytes.length;
      }
      return prepared;
    },
  };
}
