/** The middle value (the upper middle of an even count); the bench reports medians of rounds. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
