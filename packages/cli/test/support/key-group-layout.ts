import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeMetadata, type KeyedStateHandle, type StreamStateHandle } from '@ckpt/format';
import { BLOCK_TRAILER_SIZE, BytesSource, DataBlockWalker, SstTable } from '@ckpt/rocksdb';
import { localPathOf } from '@ckpt/storage';

/** An inclusive range of key groups. */
export interface KeyGroupSpan {
  start: number;
  end: number;
}

/** Bytes `[start, end)` of a file that hold the entries of `keyGroups` (an SST data block, a canonical key group). */
export interface KeyGroupRegion {
  start: number;
  end: number;
  keyGroups: KeyGroupSpan;
}

/**
 * Where each key group of a checkpoint's keyed state lies in its files, worked out from the
 * formats (not from ckpt's readers): per SST, every data block with the key groups of its first
 * and last key (the key-group prefix of Flink's RocksDB keys), through the table's index; per
 * canonical key-group file, each key group from its handle's offset to the next one. The rest of
 * every file (headers, index / filter / meta blocks, footers, MANIFEST, meta-data files) holds no
 * key group's entries. Keys are driver keys: absolute local paths without the leading `/`.
 */
export async function keyGroupLayout(metadataFile: string, uid: string): Promise<Map<string, KeyGroupRegion[]>> {
  const meta = decodeMetadata(new Uint8Array(readFileSync(metadataFile)));
  const op = meta.operators.find((o) => o.uid === uid);
  if (!op) throw new Error(`no operator ${uid} in ${metadataFile}`);
  const prefixBytes = op.maxParallelism <= 128 ? 1 : 2;
  const dir = dirname(metadataFile);
  const layout = new Map<string, KeyGroupRegion[]>();
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h === null) continue;
    if (h.kind === 'incremental') {
      for (const { handle, localPath } of [...h.sharedState, ...h.privateState]) {
        if (localPath.endsWith('.sst')) layout.set(keyOf(handle, dir), await sstRegions(fileOf(handle, dir), prefixBytes));
      }
    } else if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') {
      layout.set(keyOf(h.delegate, dir), canonicalRegions(h, fileOf(h.delegate, dir)));
    } else throw new Error(`${h.kind} handles are not laid out here`);
  }
  return layout;
}

function fileOf(h: StreamStateHandle, dir: string): string {
  if (h.kind === 'relativeFile') return join(dir, h.relativePath);
  if (h.kind === 'file') return localPathOf(h.path) ?? h.path;
  throw new Error(`a ${h.kind} handle is no file`);
}

function keyOf(h: StreamStateHandle, dir: string): string {
  return fileOf(h, dir).replace(/^\/+/, '');
}

function keyGroupOf(internalKey: Uint8Array, prefixBytes: number): number {
  return prefixBytes === 1 ? internalKey[0]! : (internalKey[0]! << 8) | internalKey[1]!;
}

async function sstRegions(file: string, prefixBytes: number): Promise<KeyGroupRegion[]> {
  const table = await SstTable.open(new BytesSource(new Uint8Array(readFileSync(file)), file), { readAhead: 0 });
  const walker = new DataBlockWalker(table);
  const out: KeyGroupRegion[] = [];
  for (let h = await walker.first(); h !== undefined; h = await walker.next()) {
    const it = (await table.readBlock(h, 'data')).iter();
    if (!it.seekToFirst()) continue;
    const first = keyGroupOf(it.key(), prefixBytes);
    let last = first;
    do last = keyGroupOf(it.key(), prefixBytes);
    while (it.next());
    // the block and its trailer (compression type + checksum)
    out.push({ start: h.offset, end: h.offset + h.size + BLOCK_TRAILER_SIZE, keyGroups: { start: first, end: last } });
  }
  return out;
}

function canonicalRegions(h: Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>, file: string): KeyGroupRegion[] {
  const size = statSync(file).size;
  const offsets = h.offsets.map(Number);
  // a key group starts at its offset and ends where the next one starts; offset 0 (inside the
  // header) marks a key group that was not written
  const starts = [...new Set(offsets.filter((o) => o > 0))].sort((a, b) => a - b);
  const out: KeyGroupRegion[] = [];
  offsets.forEach((start, i) => {
    if (start === 0) return;
    const end = starts.find((o) => o > start) ?? size;
    const kg = h.keyGroupRange.start + i;
    out.push({ start, end, keyGroups: { start: kg, end: kg } });
  });
  return out;
}

/** Byte ranges `[start, end)` of one file, merged. */
export class ByteRanges {
  private ranges: [number, number][] = [];

  add(start: number, end: number): void {
    if (end <= start) return;
    const next: [number, number][] = [];
    let s = start;
    let e = end;
    for (const [a, b] of this.ranges) {
      if (b < s || a > e) next.push([a, b]);
      else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    next.push([s, e]);
    this.ranges = next.sort((x, y) => x[0] - y[0]);
  }

  get bytes(): number {
    return this.ranges.reduce((n, [a, b]) => n + b - a, 0);
  }

  /** The bytes of `[start, end)` covered. */
  overlap(start: number, end: number): number {
    let n = 0;
    for (const [a, b] of this.ranges) n += Math.max(0, Math.min(b, end) - Math.max(a, start));
    return n;
  }

  list(): readonly [number, number][] {
    return this.ranges;
  }
}
