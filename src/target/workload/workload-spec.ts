import { DatasetWorkload } from './dataset.js';
import { SyntheticWorkload, type TokenCount } from './synthetic.js';
import { TraceWorkload, type TraceEntry } from './trace.js';
import type { Workload, WorkloadItem } from './workload.js';

/** A workload as plain data, so it can cross into worker threads and be rebuilt there. */
export type WorkloadSpec =
  | { kind: 'synthetic'; input: TokenCount; output?: TokenCount; seed: number }
  | { kind: 'dataset'; items: WorkloadItem[]; origin: string }
  | { kind: 'trace'; entries: TraceEntry[]; origin: string; seed: number };

export function workloadFrom(spec: WorkloadSpec): Workload {
  switch (spec.kind) {
    case 'synthetic':
      return new SyntheticWorkload(spec.input, spec.output, spec.seed);
    case 'dataset':
      return new DatasetWorkload(spec.items, spec.origin);
    case 'trace':
      return new TraceWorkload(spec.entries, spec.origin, spec.seed);
  }
}
