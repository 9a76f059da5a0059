import type { KeyGroupRange, KeyedStateHandle } from '@ckpt/format';
import { intersectKeyGroupRanges } from './key-groups.js';

/**
 * `KeyedStateHandle.getIntersection` per handle kind: `null` when the handle holds no key group
 * of `range`.
 * - key-groups handles (tags 3/7/12): a new handle of the same kind over the same stream with the
 *   intersected range and the matching offsets (a new handle gets a new random id in Flink: the
 *   `stateHandleId` is dropped here);
 * - incremental handles: the whole handle, unchanged (the backend clips while restoring);
 * - changelog handles: intersected range, materialized parts intersected; DFS changelog parts
 *   take the requested range with sizes 0 (as Flink's stream handle does; checked against the
 *   oracle on random rescales); in-memory changelog parts keep the intersected range [not compared].
 */
export function intersectKeyedHandle(h: KeyedStateHandle, range: KeyGroupRange): KeyedStateHandle | null {
  if (h.kind === 'changelogFile') {
    // Flink's stream changelog handle intersects the requested range with itself: the result
    // covers the whole requested range (its backend handle asks for its own intersection), and
    // its sizes become unknown (0).
    if (range.count === 0) return null;
    return { ...h, keyGroupRange: range, stateSize: 0n, ...(h.checkpointedSize === undefined ? {} : { checkpointedSize: 0n }) };
  }
  const r = intersectKeyGroupRanges(h.keyGroupRange, range);
  if (r.count === 0) return null;
  switch (h.kind) {
    case 'keyGroups':
    case 'savepointKeyGroups': {
      const from = r.start - h.keyGroupRange.start;
      const offsets = h.offsets.slice(from, from + r.count);
      if (h.kind === 'keyGroups') return { kind: 'keyGroups', keyGroupRange: r, offsets, delegate: h.delegate };
      return { kind: 'savepointKeyGroups', keyGroupRange: r, offsets, delegate: h.delegate };
    }
    case 'incremental':
      return h;
    case 'changelog': {
      const materialized: KeyedStateHandle[] = [];
      for (const m of h.materialized) {
        const x = m === null ? null : intersectKeyedHandle(m, range);
        if (x !== null) materialized.push(x);
      }
      const nonMaterialized: KeyedStateHandle[] = [];
      for (const m of h.nonMaterialized) {
        // the changelog parts are asked for the backend handle's intersection, not the new range
        const x = intersectKeyedHandle(m, r);
        if (x !== null) nonMaterialized.push(x);
      }
      return { ...h, keyGroupRange: r, materialized, nonMaterialized };
    }
    case 'inMemoryChangelog':
      return { ...h, keyGroupRange: r };
  }
}

/**
 * Keyed handles for one new subtask when the parallelism changed: every old subtask's handles,
 * old-subtask order, intersected with the subtask's key-group range; non-overlapping ones dropped.
 */
export function keyedHandlesForRange(
  oldHandles: readonly (readonly KeyedStateHandle[])[],
  range: KeyGroupRange,
): KeyedStateHandle[] {
  const out: KeyedStateHandle[] = [];
  const end = range.start + range.count;
  for (const hs of oldHandles) {
    for (const h of hs) {
      // cheap disjointness test first (most old handles miss a new subtask's range)
      const hr = h.keyGroupRange;
      if (h.kind !== 'changelogFile' && (hr.start >= end || range.start >= hr.start + hr.count)) continue;
      const x = intersectKeyedHandle(h, range);
      if (x !== null) out.push(x);
    }
  }
  return out;
}

/**
 * {@link keyedHandlesForRange} for every new subtask at once (same result, same order). When the
 * old subtasks cover ascending, disjoint key-group spans (what Flink writes), each new range only
 * visits the old subtasks it overlaps (binary search); otherwise every old subtask is visited.
 */
export function keyedHandlesForRanges(
  oldHandles: readonly (readonly KeyedStateHandle[])[],
  ranges: readonly KeyGroupRange[],
): KeyedStateHandle[][] {
  const spans: { old: number; start: number; end: number }[] = [];
  let ordered = true;
  for (let j = 0; j < oldHandles.length && ordered; j++) {
    let start = Infinity;
    let end = -Infinity;
    for (const h of oldHandles[j]!) {
      if (h.kind === 'changelogFile') ordered = false;
      if (h.keyGroupRange.count <= 0) continue;
      start = Math.min(start, h.keyGroupRange.start);
      end = Math.max(end, h.keyGroupRange.start + h.keyGroupRange.count);
    }
    if (start === Infinity) continue;
    if (spans.length > 0 && spans[spans.length - 1]!.end > start) ordered = false;
    spans.push({ old: j, start, end });
  }
  if (!ordered) return ranges.map((r) => keyedHandlesForRange(oldHandles, r));
  return ranges.map((r) => {
    const end = r.start + r.count;
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid]!.end <= r.start) lo = mid + 1;
      else hi = mid;
    }
    const out: KeyedStateHandle[] = [];
    for (let k = lo; k < spans.length && spans[k]!.start < end; k++) {
      for (const h of oldHandles[spans[k]!.old]!) {
        const x = intersectKeyedHandle(h, r);
        if (x !== null) out.push(x);
      }
    }
    return out;
  });
}
