import { readdirSync } from 'node:fs';
import type { CheckpointMetadata, IncrementalKeyedHandle, KeyedStateHandle, StreamStateHandle } from '@ckpt/format';
import { describe, expect, test } from 'vitest';
import { HandleResolver, MemorySource, readAll, RocksDbKeyedState, StateError, verifyStateFiles, type ByteSource } from '../src/index.js';
import { GENERATED, loadFixture, versions, type Fixture } from './support.js';

function nativeHandles(meta: CheckpointMetadata): { handle: IncrementalKeyedHandle; maxParallelism: number }[] {
  return meta.operators.flatMap((op) =>
    op.subtasks.flatMap((s) => (s.managedKeyedState?.kind === 'incremental' ? [{ handle: s.managedKeyedState, maxParallelism: op.maxParallelism }] : [])),
  );
}

/** The fixture's metadata with subtask 0's native handle changed by `edit`. */
function withHandle(f: Fixture, edit: (h: IncrementalKeyedHandle) => IncrementalKeyedHandle): { meta: CheckpointMetadata; handle: IncrementalKeyedHandle } {
  const meta = structuredClone(f.metadata);
  for (const op of meta.operators) {
    for (const s of op.subtasks) {
      if (s.managedKeyedState?.kind !== 'incremental') continue;
      const handle = edit(s.managedKeyedState);
      s.managedKeyedState = handle;
      return { meta, handle };
    }
  }
  throw new Error('no native handle');
}

/** A resolver giving `change(bytes)` instead of the bytes of the file named `name`. */
function patched(f: Fixture, name: (src: ByteSource) => boolean, change: (b: Uint8Array) => Uint8Array): Pick<HandleResolver, 'resolve'> {
  return {
    resolve: (h) => {
      const src = f.resolver.resolve(h);
      if (!name(src)) return src;
      return {
        name: src.name,
        size: async () => change(await readAll(src)).length,
        read: async (o, n) => new MemorySource(change(new Uint8Array(await readAll(src))), src.name).read(o, n),
      };
    },
  };
}

const nameOf = (h: StreamStateHandle) => (h.kind === 'relativeFile' ? h.relativePath : h.kind === 'file' ? h.path : '');

for (const version of versions()) {
  describe(`verifyStateFiles, fixtures ${version}`, () => {
    test('every scenario of the line is sound, with 1 and 8 jobs alike', async () => {
      for (const scenario of readdirSync(`${GENERATED}/${version}`)) {
        const f = loadFixture(version, scenario);
        if (!f) continue;
        const one = await verifyStateFiles(f.metadata, f.resolver, { jobs: 1 });
        expect(one.problems, scenario).toEqual([]);
        expect(await verifyStateFiles(f.metadata, f.resolver, { jobs: 8 })).toEqual(one);
      }
    });

    const f = loadFixture(version, 'keyed-rocksdb-native-savepoint');
    if (!f) return;

    test('a live SST the handle lacks: MissingFile naming the MANIFEST (verify) and a StateError (open)', async () => {
      let dropped = '';
      const { meta, handle } = withHandle(f, (h) => {
        const i = h.sharedState.findIndex((x) => x.localPath.endsWith('.sst'));
        dropped = h.sharedState[i]!.localPath;
        return { ...h, sharedState: h.sharedState.filter((_, j) => j !== i) };
      });
      const manifest = handle.privateState.find((x) => x.localPath.startsWith('MANIFEST'))!;
      const r = await verifyStateFiles(meta, f.resolver);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ code: 'MissingFile', localPath: manifest.localPath, path: expect.stringMatching(/managedKeyedState$/) });
      expect(r.problems[0]!.file).toContain(nameOf(manifest.handle));
      expect(r.problems[0]!.message).toContain(dropped);
      const op = meta.operators.find((o) => o.subtasks.some((s) => s.managedKeyedState === handle))!;
      const err = await RocksDbKeyedState.open(handle, (x) => f.resolver.resolve(x), { maxParallelism: op.maxParallelism }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as StateError).code).toBe('MissingFile');
      expect((err as StateError).message).toContain(dropped);
    });

    test('CURRENT naming a MANIFEST the handle lacks: MissingFile naming CURRENT', async () => {
      const { meta } = withHandle(f, (h) => ({ ...h, privateState: h.privateState.filter((x) => !x.localPath.startsWith('MANIFEST')) }));
      const r = await verifyStateFiles(meta, f.resolver);
      expect(r.problems.map((p) => [p.code, p.localPath])).toEqual([['MissingFile', 'CURRENT']]);
    });

    test('a handle recording another size than the file has: SizeMismatch, and open refuses it', async () => {
      const { meta, handle } = withHandle(f, (h) => ({
        ...h,
        sharedState: h.sharedState.map((x, i) => (i === 0 && x.handle.kind === 'relativeFile' ? { ...x, handle: { ...x.handle, size: x.handle.size - 1n } } : x)),
      }));
      const r = await verifyStateFiles(meta, f.resolver);
      expect(r.problems.map((p) => p.code)).toEqual(['SizeMismatch', 'SizeMismatch']); // the file itself, and against the MANIFEST
      const err = await RocksDbKeyedState.open(handle, (x) => f.resolver.resolve(x), { maxParallelism: 128 }).catch((e: unknown) => e);
      expect((err as StateError).code).toBe('SizeMismatch');
    });

    test('a corrupt data block: BadChecksum at the block offset, the other files still read', async () => {
      const { handle } = nativeHandles(f.metadata)[0]!;
      const sst = handle.sharedState.find((x) => x.localPath.endsWith('.sst'))!;
      const r = await verifyStateFiles(f.metadata, patched(f, (s) => s.name.endsWith(nameOf(sst.handle)), (b) => b.map((x, i) => (i === 5 ? x ^ 0xff : x))));
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ code: 'BadChecksum', offset: 0, localPath: sst.localPath });
    });
  });
}

describe('key-group and operator state files', () => {
  const heap = loadFixture('2.3.0', 'keyed-hashmap-native-savepoint');
  const canonical = loadFixture('2.3.0', 'keyed-hashmap-savepoint');
  const firstOffset = (meta: CheckpointMetadata) => {
    const h = meta.operators.flatMap((o) => o.subtasks.map((s) => s.managedKeyedState)).find((x): x is Extract<KeyedStateHandle, { offsets: bigint[] }> => x?.kind === 'keyGroups' || x?.kind === 'savepointKeyGroups')!;
    const i = h.offsets.findIndex((o) => o !== 0n);
    return { name: nameOf(h.delegate), kg: h.keyGroupRange.start + i, offset: Number(h.offsets[i]) };
  };

  for (const f of [heap, canonical]) {
    if (!f) continue;
    test(`${f.scenario}: a key group that does not start where its offset says`, async () => {
      const at = firstOffset(f.metadata);
      const r = await verifyStateFiles(f.metadata, patched(f, (s) => s.name.endsWith(at.name), (b) => b.map((x, i) => (i >= at.offset && i < at.offset + 4 ? 0x7f : x))));
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ code: 'BadKeyGroup', offset: at.offset });
      expect(r.problems[0]!.message).toContain(`key group ${at.kg}`);
    });

    test(`${f.scenario}: a broken header is a problem naming the file, other files still read`, async () => {
      const at = firstOffset(f.metadata);
      const r = await verifyStateFiles(f.metadata, patched(f, (s) => s.name.endsWith(at.name), (b) => b.map((x, i) => (i < 4 ? 0x7f : x))));
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]!.file).toContain(at.name);
    });
  }
});
