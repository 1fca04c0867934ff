/**
 * A seeded uniform generator in [0, 1) (Tommy Ettinger's mulberry32): small and fast, and
 * Math.random cannot be seeded. The same seed gives the same sequence in every process, which
 * keeps bootstrap intervals and the sample model's weights the same from run to run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
