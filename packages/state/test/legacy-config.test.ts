import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ByteReader, ByteWriter } from '@ckpt/format';
import { loadCheckpointState } from '../src/node/index.js';
import { Storages } from '@ckpt/storage';
import { javaKeyOf, keyGroupOfKey, KeyedStateFile, readVersionedSnapshot, type KeyedStateEntry } from '../src/index.js';
import { CORPUS_DIR } from '../../format/test/support/corpus.js';

const ADAPTER = 0x7a53c4f0;

/** Snapshot bytes in adapter mode: class, ADAPTER_VERSION, the Java-serialized serializer record, the config. */
function adapter(className: string, config: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter(128);
  w.utf(className);
  w.i32(ADAPTER);
  w.i32(1); // TypeSerializerSerializationProxy version
  w.lengthPrefixed(new Uint8Array([0xac, 0xed, 0x00, 0x05, 0x70])); // (skipped) Java-serialized serializer
  config(w);
  return w.finish();
}

describe('pre-1.7 serializer config snapshots (adapter version)', () => {
  test('ParameterlessTypeSerializerConfig stands for the named serializer\'s snapshot', () => {
    const b = adapter('org.apache.flink.api.common.typeutils.ParameterlessTypeSerializerConfig', (w) => {
      w.i32(1);
      w.utf('org.apache.flink.api.common.typeutils.base.LongSerializer');
    });
    const r = new ByteReader(b);
    expect(readVersionedSnapshot(r).className).toBe('org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot');
    expect(r.remaining).toBe(0);
    const unknown = adapter('org.apache.flink.api.common.typeutils.ParameterlessTypeSerializerConfig', (w) => {
      w.i32(1);
      w.utf('com.example.MySerializer');
    });
    expect(() => readVersionedSnapshot(new ByteReader(unknown))).toThrow(expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.example.MySerializer') }));
  });

  // Flink's own migration savepoints (1.7–1.16 jobs that kept ≤ 1.6 serializers): the Tuple key
  // serializer is a TupleSerializerConfigSnapshot, a window namespace a legacy GlobalWindow serializer
  const cases: [string, string][] = [
    ['0759', '41e91aae0bee218c44306cf7d21940ad'],
    ['0775', '01203aa9a12dc1ec725e03853dd7c8f2'],
  ];
  for (const [dir, opId] of cases) {
    test.skipIf(!existsSync(join(CORPUS_DIR, dir, '_metadata')))(`corpus ${dir}: keys decode to the key groups Flink put them in`, async () => {
      const storages = new Storages();
      try {
        const { metadata, resolver } = await loadCheckpointState(join(CORPUS_DIR, dir, '_metadata'), { storages });
        const op = metadata.operators.find((o) => o.operatorId === opId)!;
        const entries: KeyedStateEntry[] = [];
        let header: { keySerializer: Parameters<typeof javaKeyOf>[0] } | undefined;
        for (const s of op.subtasks) {
          const h = s.managedKeyedState;
          if (!h || (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups')) continue;
          const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
          header = kf.header;
          for await (const e of kf.entries()) entries.push(e);
        }
        expect(header!.keySerializer.className).toBe('org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot');
        expect(entries.length).toBeGreaterThan(3);
        const toJava = javaKeyOf(header!.keySerializer);
        for (const e of entries) {
          if (e.stateKind === 'PRIORITY_QUEUE') continue;
          expect(keyGroupOfKey(toJava, e.key, op.maxParallelism)).toBe(e.keyGroup);
        }
      } finally {
        await storages.close();
      }
    });
  }
});
