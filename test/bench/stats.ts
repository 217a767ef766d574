// Summary statistics of a measure's runs. The median is what the targets judge (robust to the
// odd slow run a shared machine produces); the spread says how far to trust it.

export interface Stats {
  runs: number;
  median: number;
  mean: number;
  /** Sample standard deviation (0 for a single run). */
  stddev: number;
  min: number;
  max: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarize(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('no runs to summarize');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return {
    runs: values.length,
    median: median(values),
    mean,
    stddev: Math.sqrt(variance),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
