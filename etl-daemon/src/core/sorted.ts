/** The first index in [from, to) whose value is ≥ target, in values sorted ascending (binary search). */
export function lowerBound(values: ArrayLike<number>, target: number, from = 0, to = values.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
