import type { RunVerdict } from '../judge/run-verdict.js';
import { EXIT } from './exit-codes.js';

/**
 * `modelprof demo` (what `npm start` runs) shows a profile; it is not a gate. A run that completed
 * and wrote its report exits 0 whatever its verdict: on a busy machine the generator's own lag often
 * leaves p50 to p99 untrusted (RUN INVALID, which `run` would answer with 3), and `npm start` must not
 * end in an npm error for it. Real failures keep their code: the target down (4; no request
 * succeeding never reaches here, it is thrown as a target error), an output not written (5), Ctrl-C
 * (130), bad settings (2).
 */
export interface DemoExit {
  code: number;
  /** One line for after the verdict: what `modelprof run` would exit with, and why. */
  line: string;
}

const GATE_CODES: ReadonlySet<number> = new Set([EXIT.ok, EXIT.slaFailed, EXIT.runInvalid]);

/** `runExit`: the code `modelprof run` gives this verdict (exitCodeForVerdict). */
export function demoExit(runExit: number, verdict: RunVerdict): DemoExit {
  const code = GATE_CODES.has(runExit) ? EXIT.ok : runExit;
  const why = verdict.run === 'not-trusted' && runExit === EXIT.runInvalid ? "; the generator's own lag reached p50..p99, as a busy machine makes it: see 'Is the run valid?' in the README" : '';
  const demo = code === runExit ? `the demo exits ${code} too` : `the demo exits ${code}: it shows a profile, it is not a gate`;
  return { code, line: `\`modelprof run\` would exit ${runExit} for this verdict (${verdict.title}${why}); ${demo}` };
}
