import { StateError } from '../errors.js';
import type { RawKeyedEntry } from '../keyed/canonical-stream.js';

/**
 * Pairs sorted by (new key group, merged state id), reading order otherwise: the order a rekeyed
 * key group is written in. A {@link RunBuffer} gathers pairs up to a memory budget and hands them
 * out sorted — as a run (bytes, to spill to a file) or directly (the last, or only, run); runs are
 * merged back into one sorted stream by {@link mergeRuns}. No I/O here.
 *
 * A run is a sequence of records: `u32 keyGroup, u32 stateId, u32 keyLength, u32 valueLength`
 * (little-endian), then the key and the value bytes.
 */
export interface SortedPair {
  keyGroup: number;
  stateId: number;
  key: Uint8Array;
  value: Uint8Array;
}

const HEADER = 16;
/** Bytes counted per pair besides its key and value (the index arrays and the sort). */
const PER_PAIR = 48;

/** Per pair in {@link RunBuffer}: key group, state id, start in the arena, key length, value length. */
const FIELDS = 5;

/** Pairs copied into one arena, sorted on demand. */
export class RunBuffer {
  private arena: Uint8Array = new Uint8Array(64 * 1024);
  private used = 0;
  private meta = new Int32Array(FIELDS * 1024);
  private n = 0;

  get count(): number {
    return this.n;
  }

  /** Memory the pairs take, as counted against a budget. */
  get bytes(): number {
    return this.used + PER_PAIR * this.n;
  }

  add(keyGroup: number, stateId: number, key: Uint8Array, value: Uint8Array): void {
    const need = this.used + key.length + value.length;
    if (need > this.arena.length) this.arena = grown(this.arena, need, this.used);
    if (FIELDS * (this.n + 1) > this.meta.length) {
      const meta = new Int32Array(2 * this.meta.length);
      meta.set(this.meta);
      this.meta = meta;
    }
    const m = this.meta;
    const at = FIELDS * this.n++;
    m[at] = keyGroup;
    m[at + 1] = stateId;
    m[at + 2] = this.used;
    m[at + 3] = key.length;
    m[at + 4] = value.length;
    this.arena.set(key, this.used);
    this.arena.set(value, this.used + key.length);
    this.used = need;
  }

  /**
   * The pairs' indices in sorted order, reading order among equals: two stable counting sorts
   * (state id, then key group — both small integers), linear in the number of pairs.
   */
  private order(): Uint32Array {
    const all = new Uint32Array(this.n);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return countingSort(countingSort(all, this.meta, 1), this.meta, 0);
  }

  /** The pairs, sorted and grouped by key group (views of the arena: valid until {@link clear}). */
  *groups(): Generator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
    const m = this.meta;
    let kg = -1;
    let entries: RawKeyedEntry[] = [];
    for (const i of this.order()) {
      const f = FIELDS * i;
      if (m[f] !== kg) {
        if (entries.length > 0) yield { keyGroup: kg, entries };
        kg = m[f]!;
        entries = [];
      }
      const at = m[f + 2]!;
      const keyEnd = at + m[f + 3]!;
      entries.push({ stateId: m[f + 1]!, key: this.arena.subarray(at, keyEnd), value: this.arena.subarray(keyEnd, keyEnd + m[f + 4]!) });
    }
    if (entries.length > 0) yield { keyGroup: kg, entries };
  }

  /** The pairs as a sorted run, in chunks of about `chunk` bytes. */
  *run(chunk = 1024 * 1024): Generator<Uint8Array> {
    const m = this.meta;
    let out = new Uint8Array(chunk);
    let view = new DataView(out.buffer);
    let at = 0;
    for (const i of this.order()) {
      const f = FIELDS * i;
      const start = m[f + 2]!;
      const kl = m[f + 3]!;
      const vl = m[f + 4]!;
      const n = HEADER + kl + vl;
      if (at + n > out.length) {
        if (at > 0) yield out.subarray(0, at);
        out = new Uint8Array(Math.max(chunk, n));
        view = new DataView(out.buffer);
        at = 0;
      }
      view.setUint32(at, m[f]!, true);
      view.setUint32(at + 4, m[f + 1]!, true);
      view.setUint32(at + 8, kl, true);
      view.setUint32(at + 12, vl, true);
      out.set(this.arena.subarray(start, start + kl + vl), at + HEADER);
      at += n;
    }
    if (at > 0) yield out.subarray(0, at);
  }

  clear(): void {
    this.used = 0;
    this.n = 0;
  }
}

/** `buf` with room for `need` bytes, its first `used` kept. */
function grown(buf: Uint8Array, need: number, used: number): Uint8Array {
  const out = new Uint8Array(Math.max(need, 2 * buf.length));
  out.set(buf.subarray(0, used));
  return out;
}

/** `idx` stably ordered by field `field` of the pairs' {@link FIELDS}-int records (small non-negative integers). */
function countingSort(idx: Uint32Array, meta: Int32Array, field: number): Uint32Array {
  let max = 0;
  for (const i of idx) max = Math.max(max, meta[FIELDS * i + field]!);
  const starts = new Uint32Array(max + 2);
  for (const i of idx) starts[meta[FIELDS * i + field]! + 1]!++;
  for (let k = 1; k < starts.length; k++) starts[k]! += starts[k - 1]!;
  const out = new Uint32Array(idx.length);
  for (const i of idx) out[starts[meta[FIELDS * i + field]!]!++] = i;
  return out;
}

/**
 * Copies of records, packed into shared blocks: one allocation per block rather than two small
 * buffers per record (which would cost more than the bytes, and wait for a full collection).
 */
class RecordArena {
  private block = new Uint8Array(0);
  private used = 0;

  copy(bytes: Uint8Array): Uint8Array {
    if (this.used + bytes.length > this.block.length) {
      this.block = new Uint8Array(Math.max(256 * 1024, bytes.length));
      this.used = 0;
    }
    const at = this.used;
    this.block.set(bytes, at);
    this.used += bytes.length;
    return this.block.subarray(at, at + bytes.length);
  }
}

/** Reads the records of one run from its chunks, in order. */
export class RunReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf = new Uint8Array(0);
  private at = 0;
  private offset = 0;
  /** The record read last (valid until the next {@link next}). */
  current: SortedPair | undefined;

  constructor(
    chunks: AsyncIterable<Uint8Array>,
    /** Its place among the runs (earlier runs hold pairs read earlier). */
    readonly rank: number,
    readonly name: string,
  ) {
    this.it = chunks[Symbol.asyncIterator]();
  }

  /** Has `n` unread bytes in the buffer (false at the end of the run). */
  private async fill(n: number): Promise<boolean> {
    while (this.buf.length - this.at < n) {
      const r = await this.it.next();
      if (r.done) return false;
      const rest = this.buf.subarray(this.at);
      const joined = new Uint8Array(rest.length + r.value.length);
      joined.set(rest);
      joined.set(r.value, rest.length);
      this.buf = joined;
      this.at = 0;
    }
    return true;
  }

  /** Moves to the next record; false at the end of the run. */
  async next(): Promise<boolean> {
    if (!(await this.fill(HEADER))) {
      if (this.buf.length > this.at) throw this.truncated();
      this.current = undefined;
      return false;
    }
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, HEADER);
    const keyLength = v.getUint32(8, true);
    const valueLength = v.getUint32(12, true);
    const n = HEADER + keyLength + valueLength;
    const keyGroup = v.getUint32(0, true);
    const stateId = v.getUint32(4, true);
    if (!(await this.fill(n))) throw this.truncated();
    const b = this.buf;
    const at = this.at;
    this.current = { keyGroup, stateId, key: b.subarray(at + HEADER, at + HEADER + keyLength), value: b.subarray(at + HEADER + keyLength, at + n) };
    this.at += n;
    this.offset += n;
    return true;
  }

  private truncated(): StateError {
    return new StateError('Truncated', `spill run ends inside a record`, { file: this.name, offset: this.offset });
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** `a` comes before `b`: key group, state id, then the earlier run. */
function before(a: RunReader, b: RunReader): boolean {
  const x = a.current!;
  const y = b.current!;
  return x.keyGroup !== y.keyGroup ? x.keyGroup < y.keyGroup : x.stateId !== y.stateId ? x.stateId < y.stateId : a.rank < b.rank;
}

/**
 * The records of sorted runs merged into one sorted stream (a k-way merge, stable: among equal
 * key groups and state ids the earlier run first). Each record is copied out of its run's buffer
 * (into shared blocks: the copies stay valid).
 */
export async function* mergeRuns(readers: readonly RunReader[]): AsyncGenerator<SortedPair> {
  const heap: RunReader[] = [];
  for (const r of readers) if (await r.next()) heap.push(r);
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const m = l + 1 < heap.length && before(heap[l + 1]!, heap[l]!) ? l + 1 : l;
      if (!before(heap[m]!, heap[i]!)) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  const arena = new RecordArena();
  while (heap.length > 0) {
    const top = heap[0]!;
    const c = top.current!;
    yield { keyGroup: c.keyGroup, stateId: c.stateId, key: arena.copy(c.key), value: arena.copy(c.value) };
    if (await top.next()) down(0);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    }
  }
}

/** Sorted pairs (ascending key groups) grouped into key groups, as the canonical writer takes them. */
export async function* groupByKeyGroup(pairs: AsyncIterable<SortedPair> | Iterable<SortedPair>): AsyncGenerator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
  let kg = -1;
  let entries: RawKeyedEntry[] = [];
  for await (const p of pairs) {
    if (p.keyGroup !== kg) {
      if (entries.length > 0) yield { keyGroup: kg, entries };
      kg = p.keyGroup;
      entries = [];
    }
    entries.push({ stateId: p.stateId, key: p.key, value: p.value });
  }
  if (entries.length > 0) yield { keyGroup: kg, entries };
}
