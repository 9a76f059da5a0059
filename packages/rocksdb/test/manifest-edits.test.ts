// VersionEdit decoding and replay on hand-made edits; CURRENT; OPTIONS; file names.
import { describe, expect, it } from 'vitest';
import { RocksError } from '../src/errors.js';
import { BytesSource } from '../src/source.js';
import {
  decodeVersionEdit,
  EditTag,
  manifestNumber,
  NewFileTag,
  parseOptionsFile,
  readCurrent,
  readManifest,
  sstFileName,
} from '../src/manifest/index.js';
import { EditWriter, TestLogWriter } from './manifest-support.js';

const T = EditTag;
const enc = (s: string) => new TextEncoder().encode(s);

function fails(f: () => unknown, code: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RocksError);
  expect((err as RocksError).code).toBe(code);
}

/** NewFile4 with the given custom fields (tag, bytes) before the terminator. */
function newFile4(w: EditWriter, level: number, num: number, custom: Array<[number, Uint8Array]> = []): EditWriter {
  w.varint(T.newFile4).varint(level).varint(num).varint(1000).ikey('a', 5, 1).ikey('z', 9, 1).varint(5).varint(9);
  for (const [tag, b] of custom) w.varint(tag).bytes(b);
  return w.varint(NewFileTag.terminate);
}

const header = () => new EditWriter().varint(T.comparator).bytes('leveldb.BytewiseComparator').varint(T.logNumber).varint(4).varint(T.nextFileNumber).varint(10).varint(T.lastSequence).varint(77);

async function manifestOf(...edits: Uint8Array[]) {
  const w = new TestLogWriter();
  for (const e of edits) w.add(e);
  return readManifest(new BytesSource(w.bytes(), 'MANIFEST-000001'), { keepEdits: true });
}

describe('VersionEdit', () => {
  it('decodes every field of NewFile4 and the counters', () => {
    const le64 = (a: bigint, b: bigint) => {
      const u = new Uint8Array(16);
      new DataView(u.buffer).setBigUint64(0, a, true);
      new DataView(u.buffer).setBigUint64(8, b, true);
      return u;
    };
    const w = header().varint(T.prevLogNumber).varint(0).varint(T.minLogNumberToKeep).varint(3).varint(T.maxColumnFamily).varint(2);
    newFile4(w, 2, 42, [
      [NewFileTag.oldestAncesterTime, new EditWriter().varint(1700000000).done()],
      [NewFileTag.creationTime, new EditWriter().varint(1700000001).done()],
      [NewFileTag.fileChecksum, enc('abc')],
      [NewFileTag.fileChecksumFuncName, enc('crc32c')],
      [NewFileTag.uniqueId, le64(7n, 8n)],
      [NewFileTag.epochNumber, new EditWriter().varint(3).done()],
      [NewFileTag.temperature, Uint8Array.of(0x0c)],
      [NewFileTag.needCompaction, Uint8Array.of(1)],
      [NewFileTag.pathId, Uint8Array.of(1)],
      [30, enc('an unknown field that is safe to ignore')],
    ]);
    w.varint(T.dbId).bytes('my-db').varint(9000).bytes(enc('future'));
    const e = decodeVersionEdit(w.done(), 'M', 100);
    expect(e).toMatchObject({ comparator: 'leveldb.BytewiseComparator', logNumber: 4, nextFileNumber: 10, lastSequence: 77n, minLogNumberToKeep: 3, maxColumnFamily: 2, dbId: 'my-db', skippedTags: [9000] });
    expect(e.newFiles[0]).toMatchObject({
      level: 2,
      number: 42,
      pathId: 1,
      size: 1000,
      smallestSeqno: 5n,
      largestSeqno: 9n,
      oldestAncesterTime: 1700000000,
      creationTime: 1700000001,
      fileChecksumFuncName: 'crc32c',
      uniqueId: [7n, 8n],
      epochNumber: 3,
      temperature: 0x0c,
      markedForCompaction: true,
    });
    expect(e.newFiles[0]!.smallest).toEqual({ userKey: enc('a'), seq: 5n, type: 1 });
  });

  it('decodes the older NewFile tags, deleted files, compact cursors, WAL and blob records', () => {
    const w = new EditWriter();
    w.varint(T.newFile).varint(0).varint(5).varint(10).ikey('a', 1, 1).ikey('b', 2, 1);
    w.varint(T.newFile2).varint(1).varint(6).varint(11).ikey('a', 1, 1).ikey('b', 2, 0).varint(1).varint(2);
    w.varint(T.newFile3).varint(1).varint(7).varint(2).varint(12).ikey('c', 1, 1).ikey('d', 2, 1).varint(1).varint(2);
    w.varint(T.deletedFile).varint(3).varint(99);
    w.varint(T.compactCursor).varint(1).ikey('m', 0, 1);
    w.varint(T.blobFileAddition).varint(8).varint(2).varint(300).bytes('').bytes('').varint(0);
    w.varint(T.blobFileGarbage).varint(8).varint(1).varint(100).varint(0);
    w.varint(T.walAddition2).bytes(new EditWriter().varint(12).varint(2).varint(4096).varint(1).done());
    w.varint(T.walDeletion2).bytes(new EditWriter().varint(11).done());
    w.varint(T.inAtomicGroup).varint(0);
    const e = decodeVersionEdit(w.done());
    expect(e.newFiles.map((f) => [f.level, f.number, f.pathId, f.size])).toEqual([
      [0, 5, 0, 10],
      [1, 6, 0, 11],
      [1, 7, 2, 12],
    ]);
    expect(e.deletedFiles).toEqual([{ level: 3, number: 99 }]);
    expect(e.compactCursors[0]!.level).toBe(1);
    expect(e.blobFileAdditions[0]).toMatchObject({ number: 8, totalBlobCount: 2, totalBlobBytes: 300 });
    expect(e.blobFileGarbage[0]).toMatchObject({ number: 8, garbageBlobCount: 1 });
    expect(e.walAdditions).toEqual([{ number: 12, syncedSize: 4096 }]);
    expect(e.walDeletion).toEqual({ number: 11 });
    expect(e.atomicGroupRemaining).toBe(0);
  });

  it('refuses unknown mandatory fields and malformed ones with typed errors', () => {
    fails(() => decodeVersionEdit(newFile4(new EditWriter(), 0, 1, [[NewFileTag.nonSafeIgnoreMask | 7, enc('x')]]).done()), 'Unsupported');
    fails(() => decodeVersionEdit(new EditWriter().varint(42).varint(1).done()), 'Unsupported');
    fails(() => decodeVersionEdit(newFile4(new EditWriter(), 0, 1, [[NewFileTag.uniqueId, enc('short')]]).done()), 'BadRecord');
    fails(() => decodeVersionEdit(newFile4(new EditWriter(), 0, 1, [[NewFileTag.pathId, Uint8Array.of(9)]]).done()), 'BadRecord');
    fails(() => decodeVersionEdit(new EditWriter().varint(T.newFile).varint(0).varint(5).varint(10).bytes('short').done()), 'BadRecord');
    fails(() => decodeVersionEdit(new EditWriter().varint(T.comparator).varint(50).done()), 'Truncated');
    fails(() => decodeVersionEdit(new EditWriter().varint(9000).varint(50).done()), 'Truncated');
  });
});

describe('version set replay', () => {
  it('adds and drops column families, moves files, applies atomic groups as a unit', async () => {
    const m = await manifestOf(
      header().done(),
      newFile4(new EditWriter(), 0, 5).done(),
      new EditWriter().varint(T.columnFamily).varint(1).varint(T.columnFamilyAdd).bytes('state-a').done(),
      new EditWriter().varint(T.columnFamily).varint(2).varint(T.columnFamilyAdd).bytes('state-b').done(),
      newFile4(new EditWriter().varint(T.columnFamily).varint(1), 0, 6).done(),
      newFile4(new EditWriter().varint(T.columnFamily).varint(1).varint(T.deletedFile).varint(0).varint(6), 1, 6).done(),
      new EditWriter().varint(T.columnFamily).varint(2).varint(T.columnFamilyDrop).done(),
      newFile4(new EditWriter().varint(T.columnFamily).varint(1).varint(T.inAtomicGroup).varint(1), 2, 7).done(),
      newFile4(new EditWriter().varint(T.columnFamily).varint(0).varint(T.inAtomicGroup).varint(0), 2, 8).done(),
      newFile4(new EditWriter().varint(T.columnFamily).varint(0).varint(T.inAtomicGroup).varint(1), 3, 9).done(),
    );
    expect(m.columnFamilies.map((c) => [c.id, c.name, c.files.map((f) => `${f.level}:${f.number}`)])).toEqual([
      [0, 'default', ['0:5', '2:8']],
      [1, 'state-a', ['1:6', '2:7']],
    ]);
    expect(m.discardedEdits).toBe(1);
    expect(m.edits).toHaveLength(10);
    expect(m).toMatchObject({ comparator: 'leveldb.BytewiseComparator', logNumber: 4, nextFileNumber: 10, lastSequence: 77n });
  });

  it('refuses inconsistent edits', async () => {
    const bad = async (...edits: Uint8Array[]) => {
      const e = await manifestOf(header().done(), ...edits).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RocksError);
      expect((e as RocksError).code).toBe('BadRecord');
      expect((e as RocksError).offset).toBeTypeOf('number');
    };
    await bad(new EditWriter().varint(T.columnFamily).varint(3).varint(T.deletedFile).varint(0).varint(1).done());
    await bad(new EditWriter().varint(T.deletedFile).varint(0).varint(1).done());
    await bad(newFile4(new EditWriter(), 0, 5).done(), newFile4(new EditWriter(), 1, 5).done());
    await bad(new EditWriter().varint(T.columnFamily).varint(0).varint(T.columnFamilyAdd).bytes('again').done());
    await bad(new EditWriter().varint(T.columnFamily).varint(5).varint(T.columnFamilyDrop).done());
    await bad(new EditWriter().varint(T.inAtomicGroup).varint(2).done(), new EditWriter().varint(T.logNumber).varint(5).done());
    const empty = await readManifest(new BytesSource(new Uint8Array(0), 'empty')).catch((x: unknown) => x);
    expect((empty as RocksError).code).toBe('BadRecord');
  });
});

describe('CURRENT, OPTIONS, file names', () => {
  it('reads CURRENT and refuses anything else', () => {
    expect(readCurrent(enc('MANIFEST-000005\n'))).toBe('MANIFEST-000005');
    expect(manifestNumber('MANIFEST-000005')).toBe(5);
    for (const bad of ['', 'MANIFEST-000005', 'MANIFEST-5\n\n', 'OPTIONS-000005\n', 'dir/MANIFEST-000005\n', 'MANIFEST-00000x\n', 'MANIFEST-000005\r\n']) {
      fails(() => readCurrent(enc(bad)), 'BadValue');
    }
    fails(() => readCurrent(new Uint8Array(1000)), 'BadValue');
  });

  it('names table files like RocksDB', () => {
    expect(sstFileName(123)).toBe('000123.sst');
    expect(sstFileName(1234567)).toBe('1234567.sst');
  });

  it('parses OPTIONS sections', () => {
    const o = parseOptionsFile(
      [
        '# comment',
        '[Version]',
        '  rocksdb_version=8.10.0',
        '[DBOptions]',
        '  max_open_files=-1',
        '[CFOptions "default"]',
        '  merge_operator=nullptr',
        '[CFOptions "my \\"state\\""]',
        '  merge_operator=StringAppendTESTOperator',
        '[TableOptions/BlockBasedTable "my \\"state\\""]',
        '  format_version=5',
        '  checksum=kXXH3',
        '',
      ].join('\n'),
    );
    expect(o.version).toEqual({ rocksdb_version: '8.10.0' });
    expect(o.dbOptions).toEqual({ max_open_files: '-1' });
    expect(Object.keys(o.cfOptions)).toEqual(['default', 'my "state"']);
    expect(o.tableOptions['my "state"']).toEqual({ type: 'BlockBasedTable', options: { format_version: '5', checksum: 'kXXH3' } });
    fails(() => parseOptionsFile('key=value'), 'BadValue');
    fails(() => parseOptionsFile('[DBOptions\n'), 'BadValue');
  });
});
