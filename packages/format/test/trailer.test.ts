import { describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import { corpusTrailers, HAVE_CORPUS } from './support/corpus.js';
import {
  DEFAULT_TEMPLATE,
  TEMPLATES_BY_RELEASE,
  TRAILER_CLASSES,
  javaFieldOrder,
  readCheckpointProperties,
  readJavaStream,
  templateFrom,
  writeCheckpointProperties,
  writeJavaStream,
  type CheckpointPropertiesView,
  type JavaClassDesc,
  type JavaObject,
} from '../src/trailer/index.js';

const haveCorpus = HAVE_CORPUS;
const trailers = await corpusTrailers();

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

/** Expects `fn` to throw a FormatError with one of `codes`; returns it. */
function expectFormatError(fn: () => unknown, codes: string[] = ['BadTrailer']): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect(codes).toContain((e as FormatError).code);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}

const checkpoint: Omit<CheckpointPropertiesView, 'classes'> = {
  discardCancelled: true,
  discardFailed: true,
  discardFinished: true,
  discardSubsumed: true,
  discardSuspended: true,
  forced: false,
  unclaimed: false,
  snapshotType: {
    kind: 'checkpoint',
    className: TRAILER_CLASSES.checkpointType,
    name: 'Checkpoint',
    sharingFilesStrategy: 'FORWARD_BACKWARD',
  },
};
const savepoint = (formatType: string, name = 'Savepoint', action = 'NONE'): typeof checkpoint => ({
  ...checkpoint,
  discardCancelled: false,
  discardFailed: false,
  discardFinished: false,
  discardSubsumed: false,
  discardSuspended: false,
  snapshotType: { kind: 'savepoint', className: TRAILER_CLASSES.savepointType, name, formatType, postCheckpointAction: action },
});

describe.skipIf(!haveCorpus)('corpus trailers (versions 4-6)', () => {

  it('finds the trailers', () => {
    expect(trailers.length).toBeGreaterThan(100);
  });

  it.each(trailers.map((t) => [t.id, t] as const))('%s: decodes and re-encodes byte for byte', (_id, t) => {
    const view = readCheckpointProperties(t.trailer, t.start);
    if (view === null) {
      expect(hex(t.trailer)).toBe('aced000570');
      expect(hex(writeCheckpointProperties(null))).toBe('aced000570');
      return;
    }
    expect(hex(writeCheckpointProperties(view, templateFrom(view)))).toBe(hex(t.trailer));
    if (t.snapshotType === 'CheckpointType') expect(view.snapshotType.kind).toBe('checkpoint');
    if (t.snapshotType.startsWith('SavepointType:')) {
      expect(view.snapshotType.kind).toBe('savepoint');
      expect(view.snapshotType.formatType).toBe(t.snapshotType.slice('SavepointType:'.length));
    }
    // The SUIDs of every release in the corpus are those of the default template.
    expect(hex(writeCheckpointProperties(view))).toBe(hex(t.trailer));
  });

  it('sees exactly the expected (class, serialVersionUID) pairs', () => {
    const pairs = new Set<string>();
    for (const t of trailers) {
      for (const c of readCheckpointProperties(t.trailer, t.start)?.classes ?? []) pairs.add(`${c.name} ${c.suid}`);
    }
    expect([...pairs].sort()).toEqual(
      [
        `${TRAILER_CLASSES.checkpointProperties} 2`,
        `${TRAILER_CLASSES.checkpointType} ${DEFAULT_TEMPLATE.checkpointTypeSuid}`,
        `${TRAILER_CLASSES.savepointType} ${DEFAULT_TEMPLATE.savepointTypeSuid}`,
        `${TRAILER_CLASSES.sharingFilesStrategy} 0`,
        `${TRAILER_CLASSES.postCheckpointAction} 0`,
        `${TRAILER_CLASSES.savepointFormatType} 0`,
        `${TRAILER_CLASSES.enum} 0`,
      ].sort(),
    );
    for (const t of trailers) {
      const tpl = TEMPLATES_BY_RELEASE[t.release as keyof typeof TEMPLATES_BY_RELEASE];
      const view = readCheckpointProperties(t.trailer, t.start);
      if (tpl !== undefined && view !== null) expect(templateFrom(view)).toEqual(tpl);
    }
  });

  it('reports absolute offsets', () => {
    const t = trailers.find((x) => x.trailer.length > 5)!;
    const e = expectFormatError(() => readCheckpointProperties(t.trailer.subarray(0, 300), t.start), ['Truncated']);
    expect(e.offset).toBeGreaterThanOrEqual(t.start);
    expect(e.offset).toBeLessThanOrEqual(t.start + 300);
  });
});

describe('CheckpointProperties trailer', () => {
  it('reads and writes the Java null object', () => {
    expect(readCheckpointProperties(fromHex('aced000570'))).toBeNull();
    expect(hex(writeCheckpointProperties(null))).toBe('aced000570');
  });

  it('writes the documented layouts', () => {
    const cp = writeCheckpointProperties(checkpoint);
    expect(cp.length).toBe(604);
    expect(hex(cp.subarray(0x102, 0x109))).toBe('01010101010000');
    expect(hex(cp.subarray(0x13f, 0x147))).toBe('d6de4f0305ae1d3a');
    const native = writeCheckpointProperties(savepoint('NATIVE'));
    expect(native.length).toBe(742);
    expect(hex(native)).toContain('7871007e0009' + '74' + '0004' + hex(Buffer.from('NONE')));
    expect(writeCheckpointProperties(savepoint('CANONICAL')).length).toBe(745);
    const view = readCheckpointProperties(native);
    expect(view?.snapshotType).toEqual(savepoint('NATIVE').snapshotType);
    expect(view?.classes.map((c) => c.name)).toEqual([
      TRAILER_CLASSES.checkpointProperties,
      TRAILER_CLASSES.savepointType,
      TRAILER_CLASSES.savepointFormatType,
      TRAILER_CLASSES.enum,
      TRAILER_CLASSES.postCheckpointAction,
    ]);
  });

  it('keeps the SUIDs of a template', () => {
    const tpl = { checkpointTypeSuid: 0x516dd572914a7152n, savepointTypeSuid: -4756344397805817452n };
    const view = readCheckpointProperties(writeCheckpointProperties(savepoint('CANONICAL'), tpl))!;
    expect(templateFrom(view)).toEqual({ ...tpl, checkpointTypeSuid: DEFAULT_TEMPLATE.checkpointTypeSuid });
    const cp = readCheckpointProperties(writeCheckpointProperties(checkpoint, tpl))!;
    expect(cp.classes[1]).toEqual({ name: TRAILER_CLASSES.checkpointType, suid: '5867580577574187346' });
  });

  it('writes null enums and names, long strings and back-references to equal strings', () => {
    const odd = savepoint('NATIVE', 'NATIVE');
    delete odd.snapshotType.postCheckpointAction;
    const bytes = writeCheckpointProperties(odd);
    expect(hex(bytes)).toContain('71007e000b70'); // name -> reference to "NATIVE", then null
    expect(readCheckpointProperties(bytes)?.snapshotType).toEqual(odd.snapshotType);
    const long = { ...checkpoint, snapshotType: { ...checkpoint.snapshotType, name: 'é'.repeat(40000) } };
    const longBytes = writeCheckpointProperties(long);
    expect(hex(longBytes.subarray(0x109 + 0xc0, 0x109 + 0xc1))).toBe('7c');
    expect(readCheckpointProperties(longBytes)?.snapshotType.name).toBe(long.snapshotType.name);
    const nul = { ...checkpoint, snapshotType: { kind: 'checkpoint' as const, className: '', name: null } };
    expect(readCheckpointProperties(writeCheckpointProperties(nul))?.snapshotType).toEqual({ ...nul.snapshotType, className: TRAILER_CLASSES.checkpointType });
  });

  it('looks fields up by name, not position', () => {
    const tree = readJavaStream(writeCheckpointProperties({ ...checkpoint, forced: true, discardFailed: false })).root as JavaObject;
    const desc = tree.classDesc;
    const order = [...desc.fields.keys()].reverse();
    const shuffled: JavaClassDesc = { ...desc, fields: order.map((i) => desc.fields[i]!) };
    const values = order.map((i) => tree.classData[0]!.values[i]!);
    const bytes = writeJavaStream({ kind: 'object', classDesc: shuffled, classData: [{ classDesc: shuffled, values }] });
    const view = readCheckpointProperties(bytes)!;
    expect(view.forced).toBe(true);
    expect(view.discardFailed).toBe(false);
    expect(view.discardCancelled).toBe(true);
    expect(javaFieldOrder(shuffled.fields)).toEqual(desc.fields);
  });

  it('maps other SnapshotType classes to kind unknown, and refuses to write them', () => {
    const tree = readJavaStream(writeCheckpointProperties(checkpoint)).root as JavaObject;
    const type = tree.classData[0]!.values[7] as JavaObject;
    type.classDesc.name = 'com.example.MyType';
    const view = readCheckpointProperties(writeJavaStream(tree))!;
    expect(view.snapshotType).toEqual({ kind: 'unknown', className: 'com.example.MyType', name: 'Checkpoint' });
    expectFormatError(() => writeCheckpointProperties(view), ['InvalidModel']);
  });

  it('rejects streams that are not CheckpointProperties', () => {
    const tree = () => readJavaStream(writeCheckpointProperties(checkpoint)).root as JavaObject;
    expectFormatError(() => readCheckpointProperties(fromHex('aced0005 7400 0161')));
    const renamed = tree();
    renamed.classDesc.name = 'x.Y';
    expectFormatError(() => readCheckpointProperties(writeJavaStream(renamed)));
    const nullType = tree();
    nullType.classData[0]!.values[7] = null;
    expectFormatError(() => readCheckpointProperties(writeJavaStream(nullType)));
    const missing = tree();
    missing.classDesc.fields = missing.classDesc.fields.slice(1);
    missing.classData[0]!.values = missing.classData[0]!.values.slice(1);
    expect(expectFormatError(() => readCheckpointProperties(writeJavaStream(missing), 100)).offset).toBe(104);
    const retyped = tree();
    retyped.classDesc.fields[0] = { code: 'B', name: 'discardCancelled' };
    retyped.classData[0]!.values[0] = 1;
    expectFormatError(() => readCheckpointProperties(writeJavaStream(retyped)));
    const wrongEnum = tree();
    const type = wrongEnum.classData[0]!.values[7] as JavaObject;
    type.classData[0]!.values[1] = 'FORWARD_BACKWARD';
    expectFormatError(() => readCheckpointProperties(writeJavaStream(wrongEnum)));
  });

  it('rejects values it cannot write', () => {
    expectFormatError(() => writeCheckpointProperties({ ...checkpoint, forced: 1 as unknown as boolean }), ['InvalidModel']);
    const badName = { ...checkpoint, snapshotType: { ...checkpoint.snapshotType, name: 5 as unknown as string } };
    expectFormatError(() => writeCheckpointProperties(badName), ['InvalidModel']);
  });
});

describe('Java serialization reader', () => {
  const utf = (s: string): string => Buffer.from([s.length >> 8, s.length & 0xff]).toString('hex') + Buffer.from(s).toString('hex');
  const S = (s: string): string => `74${utf(s)}`;
  const suid0 = '0000000000000000';
  /** An object of class `name` with one `L x` field of type `sig`, whose value is `value`. */
  const withField = (value: string, sig = 'Ljava/lang/Object;'): string =>
    `aced0005 73 72 ${utf('A')} ${suid0} 02 0001 4c ${utf('x')} ${S(sig)} 78 70 ${value}`;
  const bad = (h: string, codes = ['BadTrailer'], base = 0): FormatError =>
    expectFormatError(() => readJavaStream(fromHex(h), base), codes);

  it('reads a generic object with all primitive types', () => {
    const fields = 'ZBCSIJFD'.split('').map((c) => `${Buffer.from(c).toString('hex')} ${utf(`f${c}`)}`).join(' ');
    const values = '01 ff 0041 8000 ffffffff 8000000000000000 3fc00000 4004000000000000';
    const s = readJavaStream(fromHex(`aced0005 73 72 ${utf('P')} ${suid0} 03 0008 ${fields} 78 70 ${values} 78`));
    const o = s.root as JavaObject;
    expect(o.classData[0]!.values).toEqual([true, -1, 0x41, -32768, -1, -(2n ** 63n), 1.5, 2.5]);
    expect(s.handles.length).toBe(2);
  });

  it('resolves references and long strings', () => {
    const s = readJavaStream(fromHex(withField(`71 007e0001`)));
    expect((s.root as JavaObject).classData[0]!.values[0]).toBe('Ljava/lang/Object;');
    const long = readJavaStream(fromHex(withField(`7c 0000000000000002 6869`)));
    expect((long.root as JavaObject).classData[0]!.values[0]).toBe('hi');
  });

  it('rejects unsupported and malformed constructs with absolute offsets', () => {
    expect(bad('aced0004 70', ['BadTrailer'], 1000).offset).toBe(1002);
    expect(bad('abcd0005 70').offset).toBe(0);
    expect(bad('aced0005 70 70', ['BadTrailer'], 50).offset).toBe(55); // trailing bytes
    expect(bad(withField('7d 00000000'), ['BadTrailer'], 10).offset).toBeGreaterThan(10); // proxy
    bad(withField('77 01 00')); // block data
    bad(withField('75 72 0002 5b49 0000000000000000 02 0000 78 70 00000000')); // array
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 0000 77 01 00 78 70`); // class annotation content
    bad(withField('71 007e0009')); // unknown handle
    bad(withField('71 007e0000')); // class descriptor used as object
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 0000 78 71 007e0000`); // its own superclass
    bad(`aced0005 7e 72 ${utf('E')} 0000000000000001 12 0000 78 70 ${S('X')}`); // enum SUID
    bad(`aced0005 7e 72 ${utf('E')} ${suid0} 02 0000 78 70 ${S('X')}`); // not an enum class
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 06 0000 78 70`); // serializable + externalizable
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 ffff 78 70`); // negative field count
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 0001 51 ${utf('q')} 78 70`); // bad type code
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 03 0000 78 70 77 00`); // writeObject block data
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 0001 5b ${utf('x')} ${S('Lx;')} 78 70 70`); // '[' with L sig
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 0001 4c ${utf('x')} 70 78 70 70`); // null type string
    bad(`aced0005 73 72 ${utf('A')} ${suid0} 02 7000 78 70`, ['Truncated']); // huge field count
    bad(withField('7c 7fffffffffffffff 00'), ['Truncated']);
    bad(withField('7c ffffffffffffffff 00'));
    bad(withField('74 0002 c0c0'), ['BadUtf']);
  });

  it('survives hostile nesting without deep recursion', () => {
    const deepObjects = `aced0005 73 72 ${utf('A')} ${suid0} 02 0001 4c ${utf('x')} ${S('LA;')} 78 70` +
      ' 73 71 007e0000'.repeat(100_000) + ' 70';
    expect(bad(deepObjects).detail).toMatch(/nesting deeper/);
    const deepSupers = 'aced0005 73' + ` 72 ${utf('A')} ${suid0} 02 0000 78`.repeat(100_000) + ' 70';
    expect(bad(deepSupers).detail).toMatch(/nesting deeper/);
    const deepEnums = 'aced0005 7e' + ` 72 ${utf('E')} ${suid0} 12 0000 78`.repeat(50_000) + ' 70';
    expect(bad(deepEnums).detail).toMatch(/nesting deeper/);
  });
});
