import { mapLimit, type IncrementalKeyedHandle, type StreamStateHandle } from '@ckpt/format';
import { groupByColumnFamily, LsmView, SstTable, type KeyValue } from '@ckpt/rocksdb';
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

  private keyGroupOf(key: Uint8Array, cf: string, file: string): number {
    if (key.length < this.prefixBytes) {
      throw new StateError('BadKeyGroup', `key of ${key.length} bytes in column family ${cf} has no key-group prefix`, { file });
    }
    return this.prefixBytes === 1 ? key[0]! : (key[0]! << 8) | key[1]!;
  }

  /**
   * The undecoded pairs key group by key group — all states of a key group together, by state id,
   * each state in key order — as the canonical format stores them: keys without their key-group
   * prefix, values as RocksDB holds them (lists joined by ','), which is the canonical form.
   * One streaming scan per state, advanced in step.
   */
  async *rawKeyGroups(span?: KeyGroupSpan): AsyncGenerator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
    const r = this.scanRange(span);
    if (r === undefined) return;
    // per state: its scan in batches, the position in the current batch, the key group there
    type Cursor = { stateId: number; name: string; file: string; it: AsyncIterator<KeyValue[]>; batch: KeyValue[]; at: number; kg: number; kv: KeyValue | undefined };
    const cursors: Cursor[] = [];
    const advance = async (c: Cursor) => {
      for (;;) {
        if (c.at >= c.batch.length) {
          const n = await c.it.next();
          if (n.done) {
            c.kv = undefined;
            c.kg = Infinity;
            return;
          }
          c.batch = n.value;
          c.at = 0;
        }
        const kv = c.batch[c.at++]!;
        c.kg = this.keyGroupOf(kv.key, c.name, c.file);
        c.kv = kv;
        if (c.kg >= r.start && c.kg <= r.end) return;
      }
    };
    for (const [stateId, st] of this.states.entries()) {
      const tables = this.columnFamilies.get(st.meta.name);
      if (tables === undefined) continue;
      const it = new LsmView(tables).scanBatches(r.range)[Symbol.asyncIterator]();
      const c: Cursor = { stateId, name: st.meta.name, file: tables[0]!.name, it, batch: [], at: 0, kg: 0, kv: undefined };
      await advance(c);
      cursors.push(c);
    }
    for (;;) {
      const kg = Math.min(...cursors.map((c) => c.kg));
      if (kg === Infinity || cursors.length === 0) return;
      const entries: RawKeyedEntry[] = [];
      for (const c of cursors) {
        while (c.kv !== undefined && c.kg === kg) {
          entries.push({ stateId: c.stateId, key: c.kv.key.subarray(this.prefixBytes), value: c.kv.value });
          if (c.at < c.batch.length) {
            // inside the batch: no promise
            const kv = c.batch[c.at++]!;
            c.kg = this.keyGroupOf(kv.key, c.name, c.file);
            c.kv = kv;
            if (c.kg < r.start || c.kg > r.end) await advance(c);
          } else await advance(c);
        }
      }
      yield { keyGroup: kg, entries };
    }
  }

  /**
   * Every entry of the handle (or of `keyGroups`, clipped to the handle's range) in the order the
   * canonical reader gives them: key group by key group, the states of a key group by state id,
   * each in key order. Only the blocks that can hold those key groups are read.
   */
  async *entries(keyGroups?: KeyGroupSpan): AsyncGenerator<KeyedStateEntry> {
    for await (const group of this.keyGroupEntries(keyGroups)) yield* group;
  }

  /** The same entries as {@link entries}, one array per key group (one promise per key group). */
  async *keyGroupEntries(keyGroups?: KeyGroupSpan): AsyncGenerator<KeyedStateEntry[]> {
    const ctx: CanonicalContext = { keyGroup: 0, prefixBytes: this.prefixBytes, key: this.key, states: this.states, base: 0 };
    const file = this.files.find((f) => f.kind === 'sst')?.localPath;
    const p = this.prefixBytes;
    for await (const group of this.rawKeyGroups(keyGroups)) {
      ctx.keyGroup = group.keyGroup;
      // One buffer for the key group's pairs, laid out as the canonical decoder reads them (a
      // key-group prefix's room, the composite key, the value), and one reader moved over it.
      let total = 0;
      for (const e of group.entries) total += p + e.key.length + e.value.length;
      const data = new Uint8Array(total);
      const ends: number[] = [];
      let at = 0;
      for (const e of group.entries) {
        data.set(e.key, at + p);
        const keyEnd = at + p + e.key.length;
        data.set(e.value, keyEnd);
        at = keyEnd + e.value.length;
        ends.push(keyEnd, at);
      }
      const r = new WindowReader(data);
      const out: KeyedStateEntry[] = [];
      guard(file, () => {
        let start = 0;
        group.entries.forEach((e, i) => {
          const st = this.states[e.stateId]!;
          const keyEnd = ends[2 * i]!;
          const end = ends[2 * i + 1]!;
          r.enter(st.meta.name);
          out.push(decodeEntry(st, ctx, r, start + p, keyEnd, keyEnd, end));
          r.leave();
          start = end;
        });
      });
      yield out;
    }
  }
}
