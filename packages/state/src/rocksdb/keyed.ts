import { mapLimit, type IncrementalKeyedHandle, type StreamStateHandle } from '@ckpt/format';
import { groupByColumnFamily, LsmView, PackedPairs, SstTable } from '@ckpt/rocksdb';
import { flattenBatches } from '../io/flatten.js';
import { StateError, guard } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import { WindowReader } from '../io/window-reader.js';
import type { KeyedStateHeader } from '../meta/proxy.js';
import { codecFor, type ValueCodec } from '../serializers/codecs.js';
import { decodeEntry, type CanonicalContext } from '../keyed/canonical.js';
import { keyGroupPrefixBytes, type RawKeyedEntry } from '../keyed/canonical-stream.js';
import { stateCodecs } from '../keyed/codecs.js';
import type { KeyedStateEntry, StateCodecs } from '../keyed/entry.js';
import { readNativeSnapshot, type NativeFile } from './native.js';
import { checkedSize, liveFileProblems, readSnapshotManifest } from './snapshot-files.js';

export interface OpenRocksDbStateOptions {
  /** The operator's max parallelism (from `_metadata`): 1- or 2-byte key-group prefix. */
  maxParallelism: number;
}

/** An inclusive key-group range. */
export interface KeyGroupSpan {
  start: number;
  end: number;
}

/**
 * The keyed state of one RocksDB / ForSt native or incremental snapshot handle (tag 5 / 11): the
 * Flink meta file (key serializer, state meta infos) and the SST files, one column family per
 * state. Entries are what RocksDB's iterator shows per column family (newest version, deletions
 * and range tombstones applied, list merge operands joined), decoded with Flink's composite-key
 * layout, restricted to the key groups the handle owns (a rescaled incremental handle can still
 * hold foreign key groups).
 *
 * `open` checks what RocksDB would check on restore before any entry is read: CURRENT names a
 * MANIFEST of the handle, every live table of that MANIFEST is among the handle's SSTs with its
 * size, and every SST exists with the size its handle records — otherwise a `StateError`
 * (`MissingFile`, `Truncated`, `SizeMismatch`) naming the file; damaged blocks and records are
 * `RocksError`s with file and offset. A broken snapshot never yields entries of a partial LSM tree.
 */
export class RocksDbKeyedState {
  private constructor(
    readonly handle: IncrementalKeyedHandle,
    readonly header: KeyedStateHeader,
    readonly files: NativeFile[],
    readonly columnFamilies: ReadonlyMap<string, SstTable[]>,
    private readonly key: ValueCodec,
    private readonly states: StateCodecs[],
    private readonly prefixBytes: 1 | 2,
  ) {}

  static async open(
    handle: IncrementalKeyedHandle,
    resolve: (h: StreamStateHandle) => ByteSource,
    opts: OpenRocksDbStateOptions,
  ): Promise<RocksDbKeyedState> {
    const snap = await readNativeSnapshot(handle, { resolve });
    // What RocksDB would open on restore: the MANIFEST CURRENT names, and every table it lists
    // present in the handle with its size — a missing one would silently drop entries.
    const manifest = await readSnapshotManifest(snap.files, resolve);
    if (manifest !== undefined) {
      const missing = liveFileProblems(manifest, snap.files);
      if (missing.length > 0) throw missing[0]!;
    }
    // a few tables at a time: on an object store each open is a few round trips
    const tables = await mapLimit(
      snap.files.filter((f) => f.kind === 'sst'),
      8,
      async (f) => {
        const src = resolve(f.handle);
        await checkedSize(f, src);
        return SstTable.open(src);
      },
    );
    const byCf = new Map<string, SstTable[]>();
    for (const [cf, list] of groupByColumnFamily(tables)) if (cf !== undefined) byCf.set(cf, list);
    const metaName = resolve(handle.metaStateHandle).name;
    const key = codecFor(snap.meta.keySerializer);
    const states = guard(metaName, () => snap.meta.states.map(stateCodecs));
    return new RocksDbKeyedState(handle, snap.meta, snap.files, byCf, key, states, keyGroupPrefixBytes(opts.maxParallelism));
  }

  /** The handle's key-group range as an inclusive span. */
  get keyGroupSpan(): KeyGroupSpan {
    const r = this.handle.keyGroupRange;
    return { start: r.start, end: r.start + r.count - 1 };
  }

  private prefix(kg: number): Uint8Array {
    return this.prefixBytes === 1 ? Uint8Array.of(kg) : Uint8Array.of(kg >>> 8, kg & 0xff);
  }

  /** The key-group prefix range of `span` clipped to the handle, or undefined when empty. */
  private scanRange(span?: KeyGroupSpan): { start: number; end: number; range: { start: Uint8Array; end?: Uint8Array } } | undefined {
    const own = this.keyGroupSpan;
    const start = Math.max(own.start, span?.start ?? own.start);
    const end = Math.min(own.end, span?.end ?? own.end);
    if (start > end) return undefined;
    const limit = this.prefixBytes === 1 ? 0xff : 0xffff;
    return { start, end, range: { start: this.prefix(start), ...(end < limit ? { end: this.prefix(end + 1) } : {}) } };
  }

  /** Key group of pair `i` of a scan's batch (its key's prefix). */
  private keyGroupAt(pairs: PackedPairs, i: number, c: StateScan): number {
    const at = pairs.keyStart(i);
    if (pairs.keyEnd(i) - at < this.prefixBytes) {
      throw new StateError('BadKeyGroup', `key of ${pairs.keyEnd(i) - at} bytes in column family ${c.name} has no key-group prefix`, { file: c.file });
    }
    const b = pairs.bytes;
    return this.prefixBytes === 1 ? b[at]! : (b[at]! << 8) | b[at + 1]!;
  }

  /** Moves `c` to its next pair in `[start, end]` (reading the next batch when needed); key group Infinity at its end. */
  private async advance(c: StateScan, start: number, end: number): Promise<void> {
    for (;;) {
      c.at++;
      if (c.at >= c.pairs.count) {
        const n = await c.it.next();
        if (n.done) {
          c.kg = Infinity;
          return;
        }
        c.pairs = n.value;
        c.at = 0;
        if (c.pairs.count === 0) continue;
      }
      c.kg = this.keyGroupAt(c.pairs, c.at, c);
      if (c.kg >= start && c.kg <= end) return;
    }
  }

  /**
   * The pairs key group by key group, as runs of the states' scan batches — all states of a key
   * group together, by state id, each state in key order — in chunks of about `chunk` pairs (a
   * key group may take several). One streaming scan per state, advanced in step; nothing is
   * allocated per pair.
   */
  private async *keyGroupRuns(span: KeyGroupSpan | undefined, chunk: number): AsyncGenerator<{ keyGroup: number; runs: PairRun[] }> {
    const r = this.scanRange(span);
    if (r === undefined) return;
    const scans: StateScan[] = [];
    for (const [stateId, st] of this.states.entries()) {
      const tables = this.columnFamilies.get(st.meta.name);
      if (tables === undefined) continue;
      const it = new LsmView(tables).scanPacked(r.range)[Symbol.asyncIterator]();
      const c: StateScan = { stateId, name: st.meta.name, file: tables[0]!.name, it, pairs: new PackedPairs(0, 0), at: -1, kg: 0 };
      await this.advance(c, r.start, r.end);
      scans.push(c);
    }
    for (;;) {
      let kg = Infinity;
      for (const c of scans) if (c.kg < kg) kg = c.kg;
      if (kg === Infinity) return;
      let runs: PairRun[] = [];
      let n = 0;
      for (const c of scans) {
        while (c.kg === kg) {
          const { pairs } = c;
          let to = c.at + 1;
          while (to < pairs.count && this.keyGroupAt(pairs, to, c) === kg) to++;
          runs.push({ stateId: c.stateId, pairs, from: c.at, to });
          n += to - c.at;
          c.at = to - 1;
          await this.advance(c, r.start, r.end);
          if (n >= chunk) {
            yield { keyGroup: kg, runs };
            runs = [];
            n = 0;
          }
        }
      }
      if (runs.length > 0) yield { keyGroup: kg, runs };
    }
  }

  /**
   * The undecoded pairs key group by key group — all states of a key group together, by state id,
   * each state in key order — as the canonical format stores them: keys without their key-group
   * prefix, values as RocksDB holds them (lists joined by ','), which is the canonical form.
   */
  async *rawKeyGroups(span?: KeyGroupSpan): AsyncGenerator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
    const p = this.prefixBytes;
    // a whole key group at a time (as the canonical writer lays them out)
    for await (const { keyGroup, runs } of this.keyGroupRuns(span, Infinity)) {
      const entries: RawKeyedEntry[] = [];
      for (const { stateId, pairs, from, to } of runs) {
        for (let i = from; i < to; i++) {
          const keyEnd = pairs.keyEnd(i);
          entries.push({ stateId, key: pairs.bytes.subarray(pairs.keyStart(i) + p, keyEnd), value: pairs.bytes.subarray(keyEnd, pairs.valueEnd(i)) });
        }
      }
      yield { keyGroup, entries };
    }
  }

  /**
   * Every entry of the handle (or of `keyGroups`, clipped to the handle's range) in the order the
   * canonical reader gives them: key group by key group, the states of a key group by state id,
   * each in key order. Only the blocks that can hold those key groups are read.
   */
  entries(keyGroups?: KeyGroupSpan): AsyncGenerator<KeyedStateEntry, void, undefined> {
    return flattenBatches(this.keyGroupEntries(keyGroups));
  }

  /**
   * The same entries as {@link entries} in arrays of one key group each, decoded in place from the
   * scans' batches: about `chunk` entries an array (one promise per array), so a large key group
   * takes several consecutive arrays and memory does not grow with the state.
   */
  async *keyGroupEntries(keyGroups?: KeyGroupSpan, chunk = 256): AsyncGenerator<KeyedStateEntry[]> {
    const ctx: CanonicalContext = { keyGroup: 0, prefixBytes: this.prefixBytes, key: this.key, states: this.states, base: 0 };
    const file = this.files.find((f) => f.kind === 'sst')?.localPath;
    const p = this.prefixBytes;
    // one reader per batch, moved over its pairs
    let readerOf: PackedPairs | undefined;
    let reader: WindowReader | undefined;
    for await (const { keyGroup, runs } of this.keyGroupRuns(keyGroups, chunk)) {
      ctx.keyGroup = keyGroup;
      let n = 0;
      for (const run of runs) n += run.to - run.from;
      // (sized once: no growing while it fills)
      const out = new Array<KeyedStateEntry>(n);
      let at = 0;
      guard(file, () => {
        for (const { stateId, pairs, from, to } of runs) {
          if (readerOf !== pairs) {
            readerOf = pairs;
            reader = new WindowReader(pairs.bytes);
          }
          const r = reader!;
          const st = this.states[stateId]!;
          r.enter(st.meta.name);
          for (let i = from; i < to; i++) {
            const keyEnd = pairs.keyEnd(i);
            out[at++] = decodeEntry(st, ctx, r, pairs.keyStart(i) + p, keyEnd, keyEnd, pairs.valueEnd(i));
          }
          r.leave();
        }
      });
      yield out;
    }
  }
}

/** One state's streaming scan: its current batch and position, and the key group there. */
interface StateScan {
  stateId: number;
  name: string;
  file: string;
  it: AsyncIterator<PackedPairs>;
  pairs: PackedPairs;
  at: number;
  kg: number;
}

/** Pairs `[from, to)` of one state's batch, all of one key group. */
interface PairRun {
  stateId: number;
  pairs: PackedPairs;
  from: number;
  to: number;
}
