// Stable time order of rows: adaptive natural merge sort over a Float64Array of times.
// Invariant: equal times keep their row order; sorted input costs one pass, reverse-sorted input two.

export interface TimeOrder {
  /** Rows sorted by time, ties by row. */
  order: Uint32Array;
  /** `times` permuted by `order` (ascending), for binary search of ranges. */
  sortedTimes: Float64Array;
}

const MIN_RUN = 32;

/** `times` is consumed (becomes the sorted key array). */
export function stableTimeOrder(times: Float64Array): TimeOrder {
  const n = times.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return { order, sortedTimes: times };

  let ascending = true;
  let descending = true;
  for (let i = 1; i < n && (ascending || descending); i++) {
    const d = times[i]! - times[i - 1]!;
    if (d < 0) ascending = false;
    else if (d > 0) descending = false;
  }
  if (ascending) return { order, sortedTimes: times };
  if (descending) {
    times.reverse();
    order.reverse();
    // Reversal flipped the order of equal times; flip each run of ties back.
    let i = 0;
    while (i < n) {
      let j = i + 1;
      while (j < n && times[j] === times[i]) j++;
      if (j - i > 1) order.subarray(i, j).reverse();
      i = j;
    }
    return { order, sortedTimes: times };
  }

  const runStarts: number[] = [];
  let i = 0;
  while (i < n) {
    runStarts.push(i);
    let j = i + 1;
    if (j < n && times[j]! < times[i]!) {
      while (j < n && times[j]! < times[j - 1]!) j++;
      times.subarray(i, j).reverse();
      order.subarray(i, j).reverse();
    } else {
      while (j < n && times[j]! >= times[j - 1]!) j++;
    }
    const end = Math.min(n, Math.max(j, i + MIN_RUN));
    if (end > j) insertionSort(times, order, i, j, end);
    i = end;
  }
  runStarts.push(n);

  let keysA: Float64Array = times;
  let idxA: Uint32Array = order;
  let keysB: Float64Array = new Float64Array(n);
  let idxB: Uint32Array = new Uint32Array(n);
  let bounds = runStarts;
  while (bounds.length > 2) {
    const next: number[] = [];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!;
      const mid = bounds[r + 1]!;
      const hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      merge(keysA, idxA, keysB, idxB, lo, mid, hi);
      next.push(lo);
    }
    next.push(n);
    [keysA, keysB] = [keysB, keysA];
    [idxA, idxB] = [idxB, idxA];
    bounds = next;
  }
  return { order: idxA, sortedTimes: keysA };
}

/** Binary insertion of [sortedEnd, end) into the sorted [start, sortedEnd); stable (after equal keys). */
function insertionSort(keys: Float64Array, idx: Uint32Array, start: number, sortedEnd: number, end: number): void {
  for (let i = sortedEnd; i < end; i++) {
    const k = keys[i]!;
    const v = idx[i]!;
    let lo = start;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! <= k) lo = mid + 1;
      else hi = mid;
    }
    keys.copyWithin(lo + 1, lo, i);
    idx.copyWithin(lo + 1, lo, i);
    keys[lo] = k;
    idx[lo] = v;
  }
}

function merge(
  keys: Float64Array,
  idx: Uint32Array,
  outKeys: Float64Array,
  outIdx: Uint32Array,
  lo: number,
  mid: number,
  hi: number,
): void {
  let a = lo;
  let b = mid;
  let o = lo;
  // Already in order across the boundary: copy through.
  if (mid >= hi || mid <= lo || keys[mid - 1]! <= keys[mid]!) {
    outKeys.set(keys.subarray(lo, hi), lo);
    outIdx.set(idx.subarray(lo, hi), lo);
    return;
  }
  while (a < mid && b < hi) {
    if (keys[a]! <= keys[b]!) {
      outKeys[o] = keys[a]!;
      outIdx[o++] = idx[a++]!;
    } else {
      outKeys[o] = keys[b]!;
      outIdx[o++] = idx[b++]!;
    }
  }
  if (a < mid) {
    outKeys.set(keys.subarray(a, mid), o);
    outIdx.set(idx.subarray(a, mid), o);
  } else if (b < hi) {
    outKeys.set(keys.subarray(b, hi), o);
    outIdx.set(idx.subarray(b, hi), o);
  }
}

/** First index in ascending `sorted` with value >= x. */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
