import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, type OperatorStateHandle } from '@ckpt/format';
import { refusalOf, robustSuite } from '../../../fuzz/src/robust-suite.js';
import { MemorySource, OperatorStateFile, readVersionedSnapshot, SNAPSHOT_CLASSES, StateError, type StateMetaInfo } from '../src/index.js';
import { stateCodecs } from '../src/keyed/codecs.js';

// stored crashers, a truncation-sweep sample, mutation and hostile-length properties (see fuzz/README.md)
robustSuite(['state-header', 'operator-state', 'keyed-state', 'snappy']);

const LONG = 'org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot';

/** A composite snapshot (v3+ layout: composite magic, outer version, nested block) with `nested` Long serializers. */
function composite(className: string, nested: number): Uint8Array {
  const w = new ByteWriter();
  w.utf(className);
  w.i32(3); // snapshot version
  w.i32(911108); // composite magic
  w.i32(1); // outer version
  w.i32(1333245); // nested block magic
  w.i32(1); // nested block version
  w.i32(nested);
  for (let i = 0; i < nested; i++) {
    w.utf(LONG);
    w.i32(3);
  }
  return w.finish();
}


describe('regressions found by fuzzing', () => {
  it('a list/map/TTL/timer/Either snapshot with the wrong number of nested serializers is refused at its offset', async () => {
    expect(readVersionedSnapshot(new ByteReader(composite(SNAPSHOT_CLASSES.map, 2))).nested).toHaveLength(2);
    for (const [cls, n] of [[SNAPSHOT_CLASSES.timer, 0], [SNAPSHOT_CLASSES.map, 1], [SNAPSHOT_CLASSES.list, 2], [SNAPSHOT_CLASSES.ttl, 3]] as const) {
      const bytes = composite(cls, n);
      const e = await refusalOf(StateError, () => readVersionedSnapshot(new ByteReader(bytes)));
      expect(e.code).toBe('BadValue');
      expect(e.offset).toBe(2 + cls.length + 12); // the nested block, after class name, version, magic, outer version
    }
  });

  it('a MAP state whose value serializer is not a map serializer is read as whole values', () => {
    const meta: StateMetaInfo = {
      name: 'm',
      backendStateType: 'KEY_VALUE',
      options: [['KEYED_STATE_TYPE', 'MAP']],
      serializers: [['VALUE_SERIALIZER', readVersionedSnapshot(new ByteReader(composite(SNAPSHOT_CLASSES.list, 1)))]],
    };
    const c = stateCodecs(meta);
    expect(c.kind).toBe('UNKNOWN');
    expect(c.userKey).toBeUndefined();
    expect(c.element).toBe(c.value);
  });

  it('a handle offset past the end of the file names the file size as offset', async () => {
    const handle: OperatorStateHandle = {
      kind: 'operatorStream',
      states: [{ name: 's', mode: 'SPLIT_DISTRIBUTE', offsets: [100n] }],
      delegate: { kind: 'byteStream', name: 'x', data: new Uint8Array(10) },
    };
    const err = await refusalOf(StateError, () => OperatorStateFile.open(handle, new MemorySource(new Uint8Array(10), 'x')));
    expect(err.code).toBe('Truncated');
    expect(err.offset).toBe(10);
  });
});
