import { ByteReader, keyGroupByteRanges, type KeyedStateHandle, type KeyGroupBytes } from '@ckpt/format';
import { StateError, guard } from '../errors.js';
import { flattenBatches } from '../io/flatten.js';
import { readExactly, type ByteSource } from '../io/source.js';
import { readKeyedStateHeader, type KeyedStateHeader } from '../meta/proxy.js';
import { codecFor, type ValueCodec } from '../serializers/codecs.js';
import { SnappyFraming, STREAM_IDENTIFIER } from '../snappy/framing.js';
import { readCanonicalKeyGroup } from './canonical.js';
import { keyGroupPrefixBytes, readRawKeyGroup, type RawKeyedEntry } from './canonical-stream.js';
import { stateCodecs } from './codecs.js';
import type { KeyedStateEntry, StateCodecs } from './entry.js';
import type { KeyGroupSpan } from '../rocksdb/keyed.js';
import { readHeapKeyGroup } from './heap.js';

/** Which writer produced a keyed state stream. */
export type KeyedFormat = 'canonical' | 'heap';

export interface OpenKeyedStateOptions {
  /** The operator's max parallelism (from `_metadata`); decides the 1- or 2-byte key-group prefix. */
  maxParallelism: number;
  /** Force the format of tag 3/12 handles instead of detecting it. Tag 7 is always canonical. */
  format?: KeyedFormat;
  /** For compressed files; default: the shared {@link SnappyFraming}, created when the header says compressed. */
  framing?: SnappyFraming;
}

/** Files up to this size are read whole by {@link KeyedStateFile.checkKeyGroupStarts}. */
const WHOLE_FILE_CHECK_BYTES = 16 << 20;

type KeyGroupsLike = Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>;

/** A keyed state file (canonical savepoint format or heap checkpoint format) opened through its handle. */
export class KeyedStateFile {
  private constructor(
    readonly source: ByteSource,
    readonly header: KeyedStateHeader,
    readonly format: KeyedFormat,
    readonly keyGroupStart: number,
    private readonly ranges: KeyGroupBytes[],
    private readonly size: number,
    private readonly key: ValueCodec,
    private readonly states: StateCodecs[],
    private readonly opts: OpenKeyedStateOptions,
  ) {}

  static async open(handle: KeyedStateHandle, source: ByteSource, opts: OpenKeyedStateOptions): Promise<KeyedStateFile> {
    if (handle.kind !== 'keyGroups' && handle.kind !== 'savepointKeyGroups') {
      throw new StateError(
        'UnsupportedHandle',
        handle.kind === 'incremental'
          ? 'RocksDB / ForSt native and incremental snapshots hold SST files: read them with RocksDbKeyedState'
          : `keyed handle ${handle.kind} is not a key-groups stream`,
        { file: source.name },
      );
    }
    const h = handle as KeyGroupsLike;
    const size = await source.size();
    const offsets = h.offsets.map(Number);
    const nonZero = offsets.filter((o) => o !== 0);
    const headerEnd = nonZero.length ? Math.min(...nonZero) : size;
    if (headerEnd > size || nonZero.some((o) => o > size)) {
      throw new StateError('Truncated', `key-group offsets point past the end of the file (${size} bytes)`, { file: source.name, offset: size });
    }
    const headBytes = await readExactly(source, 0, headerEnd);
    const header = guard(source.name, () => readKeyedStateHeader(new ByteReader(headBytes)));
    if (header.compressed && !opts.framing) opts = { ...opts, framing: await SnappyFraming.shared() };
    const format = h.kind === 'savepointKeyGroups' ? 'canonical' : (opts.format ?? (await detect(source, h.keyGroupRange.start, offsets)));
    const key = codecFor(header.keySerializer);
    const states = guard(source.name, () => header.states.map(stateCodecs));
    return new KeyedStateFile(source, header, format, h.keyGroupRange.start, keyGroupByteRanges(h), size, key, states, opts);
  }

  /** Key groups of the handle's range that hold data (canonical: offset ≠ 0; heap: all). */
  keyGroups(): number[] {
    const out: number[] = [];
    this.ranges.forEach((r, i) => {
      if (r.offset !== 0 || this.format === 'heap') out.push(this.keyGroupStart + i);
    });
    return out;
  }

  /**
   * Checks, cheaply, that each key group starts where the handle's offsets say: the heap format's
   * key-group number, a canonical key group's state id (compressed: the Snappy stream
   * identifier), offsets in ascending order. Reads the first bytes of each key group (a file of
   * at most 16 MiB in one read). One error per key group that does not fit, with its offset.
   */
  async checkKeyGroupStarts(): Promise<StateError[]> {
    const file = this.source.name;
    const whole = this.size <= WHOLE_FILE_CHECK_BYTES ? await readExactly(this.source, 0, this.size) : undefined;
    const problems: StateError[] = [];
    let previous = 0;
    for (const kg of this.keyGroups()) {
      const offset = this.ranges[kg - this.keyGroupStart]!.offset;
      const fail = (what: string) => problems.push(new StateError('BadKeyGroup', `key group ${kg}: ${what}`, { file, offset }));
      if (offset < previous) {
        fail(`its offset ${offset} is before the previous key group's ${previous}`);
        continue;
      }
      previous = offset;
      const n = Math.min(STREAM_IDENTIFIER.length, this.size - offset);
      const head = whole ? whole.subarray(offset, offset + n) : await readExactly(this.source, offset, n);
      const view = new DataView(head.buffer, head.byteOffset, head.length);
      const found = `found ${[...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'the end of the file'}`;
      if (this.format === 'heap') {
        if (n < 4 || view.getInt32(0) !== kg) fail(`expected the key-group number ${kg} (heap format), ${found}`);
      } else if (this.header.compressed) {
        if (n < STREAM_IDENTIFIER.length || STREAM_IDENTIFIER.some((b, i) => head[i] !== b)) fail(`expected a Snappy stream identifier, ${found}`);
      } else if (n < 2 || view.getUint16(0) >= this.states.length) {
        fail(`expected a state id below ${this.states.length}, ${found}`);
      }
    }
    return problems;
  }

  /** The bytes of key group number `i` of the handle (its offset to the next one, or the end). */
  private region(i: number): Promise<Uint8Array> {
    const r = this.ranges[i]!;
    return readExactly(this.source, r.offset, r.length ?? this.size - r.offset);
  }

  /**
   * Entries of the chosen key groups (default: all), key group by key group. Only the byte range
   * of each chosen key group is read.
   */
  entries(keyGroups?: Iterable<number>): AsyncGenerator<KeyedStateEntry, void, undefined> {
    return flattenBatches(this.keyGroupEntries(keyGroups));
  }

  /** Like {@link entries}, one array per key group (the chosen ones that hold data). */
  async *keyGroupEntries(keyGroups?: Iterable<number>): AsyncGenerator<KeyedStateEntry[], void, undefined> {
    const wanted = keyGroups ? [...new Set(keyGroups)].sort((a, b) => a - b) : this.keyGroups();
    for (const kg of wanted) {
      const i = kg - this.keyGroupStart;
      if (i < 0 || i >= this.ranges.length) {
        throw new StateError('BadKeyGroup', `key group ${kg} is outside the handle's range`, { file: this.source.name });
      }
      const offset = this.ranges[i]!.offset;
      if (offset === 0 && this.format === 'canonical') continue;
      const region = await this.region(i);
      const entries = guard(this.source.name, () => this.decodeKeyGroup(kg, offset, region));
      if (entries.length > 0) yield entries;
    }
  }

  /**
   * The undecoded pairs of every non-empty key group (canonical format only), key group by key
   * group: what a writer needs to move entries without understanding their values. With
   * `spans` (inclusive, ascending), only the byte ranges of the key groups in them are read.
   */
  async *rawKeyGroups(spans?: readonly KeyGroupSpan[]): AsyncGenerator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
    if (this.format !== 'canonical') {
      throw new StateError('UnsupportedHandle', 'the heap checkpoint format has no canonical pairs; take a canonical savepoint', { file: this.source.name });
    }
    const chosen = (kg: number) => spans === undefined || spans.some((s) => kg >= s.start && kg <= s.end);
    for (const kg of this.keyGroups().filter(chosen)) {
      const offset = this.ranges[kg - this.keyGroupStart]!.offset;
      const region = await this.region(kg - this.keyGroupStart);
      const file = this.source.name;
      yield guard(file, () => ({ keyGroup: kg, entries: readRawKeyGroup(this.uncompressed(region, offset), { keyGroup: kg, prefixBytes: this.prefixBytes, base: offset }) }));
    }
  }

  /** 1- or 2-byte key-group prefix of the file's keys. */
  get prefixBytes(): 1 | 2 {
    return keyGroupPrefixBytes(this.opts.maxParallelism);
  }

  private uncompressed(region: Uint8Array, offset: number): Uint8Array {
    return this.header.compressed
      ? this.opts.framing!.decode(region, { base: offset, file: this.source.name, requireIdentifier: true })
      : region;
  }

  private decodeKeyGroup(kg: number, offset: number, region: Uint8Array): KeyedStateEntry[] {
    const file = this.source.name;
    if (this.format === 'heap') {
      return readHeapKeyGroup(region, {
        keyGroup: kg, key: this.key, states: this.states, compressed: this.header.compressed,
        framing: this.opts.framing, base: offset, file, groupedByNamespace: this.header.version === 1,
      });
    }
    return readCanonicalKeyGroup(this.uncompressed(region, offset), {
      keyGroup: kg, prefixBytes: this.prefixBytes, key: this.key, states: this.states, base: offset,
    });
  }
}

/** Spec §2.1.4: tell the heap checkpoint format from the canonical one behind tag 3/12. */
async function detect(source: ByteSource, start: number, offsets: number[]): Promise<KeyedFormat> {
  if (offsets.some((o) => o === 0)) return 'canonical';
  const i = offsets.findIndex((_, j) => start + j !== 0);
  const probeAt = offsets[i >= 0 ? i : 0]!;
  const probe = await readExactly(source, probeAt, 4);
  const v = new DataView(probe.buffer, probe.byteOffset, 4).getInt32(0);
  if (probe[0] === 0xff && probe[1] === 0x06) return 'canonical';
  return v === start + (i >= 0 ? i : 0) ? 'heap' : 'canonical';
}
