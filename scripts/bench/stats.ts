/** The value below which `p` percent of the samples fall (nearest rank). */
function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const ratio = (value: number, baseline: number) => value / baseline;

/** One call to a dependency, as seen from the handler. */
export interface CallSpan {
  name: string;
  start: number;
  end: number;
}

/**
 * How many calls stand one after another on the longest path: a call follows another
 * when it starts after that one ended; calls that overlap run side by side.
 */
export function sequentialDepth(spans: readonly CallSpan[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let best = 0;
    for (let j = 0; j < i; j++) {
      if ((sorted[j] as CallSpan).end <= (sorted[i] as CallSpan).start) best = Math.max(best, depth[j] as number);
    }
    depth.push(best + 1);
  }
  return Math.max(0, ...depth);
}

/** The case most generate requests are: what the bench's reading calls the steady state. */
export const STEADY_STATE = 'MOBILE, brand cached, number already counted (steady state)';
