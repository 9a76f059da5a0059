import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { localPathOf, Storages } from '@ckpt/storage';
import { BlobSource, blobOpener, HandleResolver, MemorySource, readAll, SliceSource, type ByteSource } from '../src/index.js';
import { storageOpener, storageResolver } from '../src/node/index.js';

describe('byte sources and handle resolution', () => {
  test('file: URIs become local paths (one place: @ckpt/storage)', () => {
    expect(localPathOf('file:/a/b')).toBe('/a/b');
    expect(localPathOf('file:///a/b%20c')).toBe('/a/b c');
    expect(localPathOf('s3://bucket/x')).toBeUndefined();
  });

  test('a storage source reads ranges of a local file and reports a missing one as NotFound', async () => {
    const open = storageOpener(new Storages());
    const src = open(new URL(import.meta.url).pathname);
    expect(await src.size()).toBeGreaterThan(100);
    expect(new TextDecoder().decode(await src.read(0, 6))).toBe('import');
    const size = await src.size();
    expect((await src.read(size - 3, 10)).length).toBe(3);
    expect((await src.read(size + 5, 10)).length).toBe(0);
    await expect(open('/nonexistent/x').size()).rejects.toMatchObject({ code: 'NotFound', uri: '/nonexistent/x' });
  });

  test('relative, absolute and segment handles open the URIs Flink would, through the given opener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-resolve-'));
    writeFileSync(join(dir, 'rel'), Uint8Array.of(10, 11, 12, 13, 14, 15));
    const r = storageResolver(`file:${dir}`);
    expect([...(await readAll(r.resolve({ kind: 'relativeFile', relativePath: 'rel', size: 6n })))]).toEqual([10, 11, 12, 13, 14, 15]);
    expect([...(await readAll(r.resolve({ kind: 'file', path: `file://${dir}/rel`, size: 6n })))]).toEqual([10, 11, 12, 13, 14, 15]);
    const seg = r.resolve({ kind: 'segmentFile', startPos: 2n, size: 3n, scope: 0, physicalPath: join(dir, 'rel'), logicalFileId: 'l' });
    expect([...(await readAll(seg))]).toEqual([12, 13, 14]);
    const opened: string[] = [];
    const spy = new HandleResolver({ metadataDir: 's3://b/sp-1/', open: (u) => (opened.push(u), new MemorySource(new Uint8Array(0), u)) });
    spy.resolve({ kind: 'relativeFile', relativePath: 'x', size: 1n });
    spy.resolve({ kind: 'savepointKeyGroups', keyGroupRange: { start: 0, count: 1 }, offsets: [0n], delegate: { kind: 'file', path: 'hdfs://nn/a', size: 1n } });
    expect(opened).toEqual(['s3://b/sp-1/x', 'hdfs://nn/a']);
  });

  test('segments are addressed from their start; inline handles are memory; relative needs the directory', async () => {
    const inner = new MemorySource(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7));
    const seg = new SliceSource(inner, 2, 4);
    expect([...(await seg.read(1, 10))]).toEqual([3, 4, 5]);
    const r = new HandleResolver({ open: () => inner });
    const s = r.resolve({ kind: 'segmentFile', startPos: 4n, size: 2n, scope: 0, physicalPath: 'file:/x', logicalFileId: 'l' });
    expect([...(await s.read(0, 2))]).toEqual([4, 5]);
    expect(await r.resolve({ kind: 'byteStream', name: 'n', data: Uint8Array.of(9) }).size()).toBe(1);
    expect(await r.resolve({ kind: 'emptySegmentFile' }).size()).toBe(0);
    expect(() => r.resolve({ kind: 'relativeFile', relativePath: 'x', size: 1n })).toThrow(expect.objectContaining({ code: 'UnsupportedHandle' }));
  });

  test('browser File objects: ranged slices, matched to URIs by their relative path', async () => {
    const file = (path: string, bytes: number[]) => Object.assign(new Blob([Uint8Array.from(bytes)]), { name: path.split('/').pop()!, webkitRelativePath: path });
    const files = [file('sp-1/_metadata', [1]), file('sp-1/abc', [1, 2, 3, 4]), file('sp-1/sub/abc', [9, 9])];
    const open = blobOpener(files);
    const a: ByteSource = open('file:/flink/savepoints/sp-1/abc');
    expect(a.name).toBe('file:/flink/savepoints/sp-1/abc');
    expect([...(await a.read(1, 2))]).toEqual([2, 3]);
    expect([...(await readAll(open('s3://bucket/x/sp-1/sub/abc')))]).toEqual([9, 9]);
    const r = new HandleResolver({ metadataDir: 'hdfs://nn/elsewhere/sp-1', open });
    expect([...(await readAll(r.resolve({ kind: 'relativeFile', relativePath: 'abc', size: 4n })))]).toEqual([1, 2, 3, 4]);
    expect(() => open('file:/flink/other')).toThrow(expect.objectContaining({ code: 'Io' }));
    expect([...(await new BlobSource(new Blob([Uint8Array.of(5, 6)])).read(1, 5))]).toEqual([6]);
  });
});
