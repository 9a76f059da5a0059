import { compareBytes } from '../coding.js';
import type { RangeTombstone } from '../sst/scan.js';

/**
 * Range tombstones of one column family, fragmented into disjoint, sorted intervals that each
 * carry the highest sequence number covering them. A key version with sequence number `s` is
 * deleted when the fragment holding its user key has a sequence number greater than `s`.
 */
export class TombstoneMap {
  private readonly starts: Uint8Array[] = [];
  private readonly ends: Uint8Array[] = [];
  private readonly seqs: bigint[] = [];

  constructor(tombstones: readonly RangeTombstone[]) {
    const live = tombstones.filter((t) => compareBytes(t.start, t.end) < 0);
    if (live.length === 0) return;
    const bounds: Uint8Array[] = [];
    for (const t of live) bounds.push(t.start, t.end);
    bounds.sort(compareBytes);
    const unique = bounds.filter((b, i) => i === 0 || compareBytes(b, bounds[i - 1]!) !== 0);
    for (let i = 0; i + 1 < unique.length; i++) {
      const lo = unique[i]!;
      const hi = unique[i + 1]!;
      let max = -1n;
      for (const t of live) {
        if (t.seq > max && compareBytes(t.start, lo) <= 0 && compareBytes(hi, t.end) <= 0) max = t.seq;
      }
      if (max < 0n) continue;
      const n = this.seqs.length;
      // Merge with the previous fragment when adjacent and equal.
      if (n > 0 && this.seqs[n - 1] === max && compareBytes(this.ends[n - 1]!, lo) === 0) {
        this.ends[n - 1] = hi;
        continue;
      }
      this.starts.push(lo);
      this.ends.push(hi);
      this.seqs.push(max);
    }
  }

  get size(): number {
    return this.seqs.length;
  }

  /** The highest sequence number of a tombstone covering `userKey`, or -1. */
  coveringSeq(userKey: Uint8Array): bigint {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.starts[mid]!, userKey) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    const i = lo - 1;
    if (i < 0 || compareBytes(userKey, this.ends[i]!) >= 0) return -1n;
    return this.seqs[i]!;
  }

  /** The fragments, for inspection. */
  fragments(): RangeTombstone[] {
    return this.seqs.map((seq, i) => ({ start: this.starts[i]!, end: this.ends[i]!, seq }));
  }
}
