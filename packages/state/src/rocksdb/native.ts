import { ByteReader, type IncrementalKeyedHandle, type StreamStateHandle } from '@ckpt/format';
import { guard } from '../errors.js';
import type { HandleResolver } from '../io/resolve.js';
import { readAll } from '../io/source.js';
import { readKeyedStateHeader, type KeyedStateHeader } from '../meta/proxy.js';

export type NativeFileKind = 'sst' | 'manifest' | 'current' | 'options' | 'other';

export interface NativeFile {
  localPath: string;
  kind: NativeFileKind;
  shared: boolean;
  size: number | undefined;
  handle: StreamStateHandle;
}

/**
 * A RocksDB native / incremental snapshot (tag 5/11): its files and the Flink meta file (a keyed
 * backend header: key serializer and state meta infos). The entries inside the SST files are read
 * by {@link RocksDbKeyedState} (rocksdb/keyed.ts); this is the listing alone.
 */
export interface NativeSnapshot {
  checkpointId: bigint;
  backendId: string;
  keyGroupRange: { start: number; count: number };
  meta: KeyedStateHeader;
  files: NativeFile[];
}

function kindOf(path: string): NativeFileKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name.endsWith('.sst')) return 'sst';
  if (name.startsWith('MANIFEST')) return 'manifest';
  if (name === 'CURRENT') return 'current';
  if (name.startsWith('OPTIONS')) return 'options';
  return 'other';
}

function sizeOf(h: StreamStateHandle): number | undefined {
  switch (h.kind) {
    case 'byteStream':
      return h.data.length;
    case 'file':
    case 'relativeFile':
    case 'segmentFile':
      return Number(h.size);
    default:
      return undefined;
  }
}

/** The files of a native / incremental handle: shared ones first, then private ones. */
export function nativeFiles(handle: IncrementalKeyedHandle): NativeFile[] {
  return [
    ...handle.sharedState.map((f) => ({ f, shared: true })),
    ...handle.privateState.map((f) => ({ f, shared: false })),
  ].map(({ f, shared }) => ({ localPath: f.localPath, kind: kindOf(f.localPath), shared, size: sizeOf(f.handle), handle: f.handle }));
}

export async function readNativeSnapshot(handle: IncrementalKeyedHandle, resolver: Pick<HandleResolver, 'resolve'>): Promise<NativeSnapshot> {
  const src = resolver.resolve(handle.metaStateHandle);
  const bytes = await readAll(src);
  const meta = guard(src.name, () => readKeyedStateHeader(new ByteReader(bytes)));
  return {
    checkpointId: handle.checkpointId,
    backendId: handle.backendId,
    keyGroupRange: handle.keyGroupRange,
    meta,
    files: nativeFiles(handle),
  };
}
