import { describe, expect, test } from 'vitest';
import { FileSource, HandleResolver, localPath, MemorySource, SliceSource } from '../src/index.js';

describe('byte sources and handle resolution', () => {
  test('file: URIs become local paths', () => {
    expect(localPath('file:/a/b')).toBe('/a/b');
    expect(localPath('file:///a/b%20c')).toBe('/a/b c');
    expect(localPath('s3://bucket/x')).toBe('s3://bucket/x');
  });

  test('FileSource reads ranges and reports a missing file as Io', async () => {
    const src = new FileSource(new URL(import.meta.url).pathname);
    expect(await src.size()).toBeGreaterThan(100);
    expect(new TextDecoder().decode(await src.read(0, 6))).toBe('import');
    await expect(new FileSource('/nonexistent/x').size()).rejects.toMatchObject({ code: 'Io', file: '/nonexistent/x' });
  });

  test('segments are addressed from their start; inline handles are memory', async () => {
    const inner = new MemorySource(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7));
    const seg = new SliceSource(inner, 2, 4);
    expect([...(await seg.read(1, 10))]).toEqual([3, 4, 5]);
    const r = new HandleResolver({ openFile: () => inner });
    const s = r.resolve({ kind: 'segmentFile', startPos: 4n, size: 2n, scope: 0, physicalPath: 'file:/x', logicalFileId: 'l' });
    expect([...(await s.read(0, 2))]).toEqual([4, 5]);
    expect(await r.resolve({ kind: 'byteStream', name: 'n', data: Uint8Array.of(9) }).size()).toBe(1);
    expect(() => new HandleResolver().resolve({ kind: 'relativeFile', relativePath: 'x', size: 1n })).toThrow(
      expect.objectContaining({ code: 'UnsupportedHandle' }),
    );
  });
});
