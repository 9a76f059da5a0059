// The MANIFESTs of real Flink RocksDB / ForSt snapshots (the shared corpus and the generated
// fixtures): each incremental handle's CURRENT names a MANIFEST among its private files, which
// decodes, and every table it lists as live is among the handle's files, with the same size.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata, type IncrementalKeyedHandle, type StreamStateHandle } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { RocksError } from '../src/errors.js';
import { BytesSource } from '../src/source.js';
import { readCurrent, readManifest, sstFileName } from '../src/manifest/index.js';

// Each root with the depth of one snapshot's own tree under it (generated: <version>/<case>).
const ROOTS: Array<[string, number]> = [
  [join(fileURLToPath(new URL('../../..', import.meta.url)), 'fixtures/generated'), 2],
  ['/work/shared/fixtures/flink-corpus', 1],
];

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(dir, e.name), out);
    else out.push(join(dir, e.name));
  }
  return out;
}

function incrementalHandles(v: unknown, out: IncrementalKeyedHandle[] = []): IncrementalKeyedHandle[] {
  if (Array.isArray(v)) for (const x of v) incrementalHandles(x, out);
  else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    if ((v as { kind?: unknown }).kind === 'incremental') out.push(v as IncrementalKeyedHandle);
    else for (const x of Object.values(v)) incrementalHandles(x, out);
  }
  return out;
}

/**
 * The bytes of a handle, when the snapshot's tree holds them. Handles name absolute paths of the
 * machine that wrote them; the files keep their (UUID) base names, so they are found by those.
 */
function resolve(files: Map<string, string>, h: StreamStateHandle): Uint8Array | undefined {
  const file = (p: string) => {
    const f = files.get(basename(p));
    return f ? new Uint8Array(readFileSync(f)) : undefined;
  };
  switch (h.kind) {
    case 'byteStream':
      return h.data;
    case 'relativeFile':
      return file(h.relativePath);
    case 'file':
      return file(h.path);
    case 'segmentFile': {
      const b = file(h.physicalPath);
      return b?.subarray(Number(h.startPos), Number(h.startPos + h.size));
    }
    default:
      return undefined;
  }
}

function sizeOf(h: StreamStateHandle, bytes: Uint8Array | undefined): number | undefined {
  if (h.kind === 'file' || h.kind === 'relativeFile' || h.kind === 'segmentFile') return Number(h.size);
  return bytes?.length;
}

const snapshots = ROOTS.flatMap(([root, depth]) => {
  const trees = new Map<string, Map<string, string>>();
  return walk(root)
    .filter((f) => basename(f) === '_metadata')
    .map((file) => {
      const tree = join(root, ...relative(root, file).split(sep).slice(0, depth));
      if (!trees.has(tree)) trees.set(tree, new Map(walk(tree).map((f) => [basename(f), f])));
      try {
        return { file, files: trees.get(tree)!, handles: incrementalHandles(decodeMetadata(new Uint8Array(readFileSync(file)), { file }).operators) };
      } catch {
        return { file, files: trees.get(tree)!, handles: [] }; // the format package's tests cover undecodable files
      }
    })
    .filter((s) => s.handles.length > 0);
});

const counts = { manifests: 0, liveFiles: 0, sizesChecked: 0 };
/** A few real MANIFESTs kept for the prefix sweep. */
const samples: Uint8Array[] = [];

describe.skipIf(snapshots.length === 0)('MANIFESTs of real Flink snapshots', () => {
  it('finds RocksDB snapshots', () => {
    expect(snapshots.length).toBeGreaterThan(5);
  });

  it.each(snapshots.map((s) => [s.file.replace(/^.*fixtures\//, ''), s] as const))('%s', async (_name, s) => {
    let decoded = 0;
    for (const h of s.handles) {
      const files = new Map([...h.sharedState, ...h.privateState].map((e) => [e.localPath, e.handle]));
      const current = files.get('CURRENT');
      const currentBytes = current && resolve(s.files, current);
      if (!currentBytes) continue;
      const name = readCurrent(currentBytes);
      const mh = files.get(name);
      expect(mh, `${name} among the handle's files`).toBeDefined();
      const bytes = resolve(s.files, mh!);
      if (!bytes) continue;
      const m = await readManifest(new BytesSource(bytes, `${s.file}:${name}`));
      decoded++;
      counts.manifests++;
      if (samples.length < 4 && !samples.some((x) => x.length === bytes.length)) samples.push(bytes);
      expect(m.comparator).toBe('leveldb.BytewiseComparator');
      for (const cf of m.columnFamilies) {
        for (const f of cf.files) {
          const sst = files.get(sstFileName(f.number));
          expect(sst, `${sstFileName(f.number)} (column family "${cf.name}") among the handle's files`).toBeDefined();
          counts.liveFiles++;
          const size = sizeOf(sst!, sst!.kind === 'byteStream' ? sst!.data : undefined);
          if (size !== undefined) {
            expect(size, sstFileName(f.number)).toBe(f.size);
            counts.sizesChecked++;
          }
        }
      }
    }
    expect(decoded, 'MANIFESTs decoded').toBeGreaterThan(0);
  });

  it('every prefix of a few of them reads or fails with a typed error', async () => {
    expect(samples.length).toBeGreaterThan(0);
    for (const bytes of samples) {
      for (let n = 0; n < bytes.length; n++) {
        for (const tolerateTruncatedTail of [false, true]) {
          const r = await readManifest(new BytesSource(bytes.subarray(0, n), `prefix-${n}`), { tolerateTruncatedTail }).catch((e: unknown) => e);
          if (r instanceof Error) expect(r, `prefix ${n}`).toBeInstanceOf(RocksError);
        }
      }
    }
  });

  it('decoded every MANIFEST found', () => {
    console.log(`flink MANIFESTs: ${counts.manifests} decoded, ${counts.liveFiles} live tables found, ${counts.sizesChecked} sizes equal`);
    expect(counts.manifests).toBeGreaterThanOrEqual(snapshots.length);
  });
});
