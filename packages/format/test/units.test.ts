import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ByteReader,
  ByteWriter,
  crc32c,
  decodeMetadata,
  encodeMetadata,
  FormatError,
  operatorIdFromUid,
  sha256,
  xxhash64,
} from '../src/index.js';
import { writeCheckpointProperties } from '../src/trailer/properties.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('Java modified UTF-8 (writeUTF / readUTF)', () => {
  const cases: [string, string][] = [
    ['', '0000'],
    ['abc', '0003616263'],
    ['a\0b', '000461c08062'],
    ['é€', '0005c3a9e282ac'],
    ['😀', '0006eda0bdedb880'],
    ['\ud800', '0003eda080'],
    // a leading U+FEFF is a character like any other (decoders drop it as a BOM by default)
    ['\ufeff', '0003efbbbf'],
    ['\ufeffx', '0004efbbbf78'],
  ];
  it.each(cases)('%j encodes as %s and decodes back', (s, h) => {
    const w = new ByteWriter();
    w.utf(s);
    expect(toHex(w.finish())).toBe(h);
    expect(new ByteReader(hex(h)).utf()).toBe(s);
  });

  it('rejects forms writeUTF never produces, with offset', () => {
    for (const bad of ['000100', '0002c1bf', '0003e08080', '0004f09f9880']) {
      const r = new ByteReader(hex(`ffff${bad}`), 2);
      const err = (() => {
        try {
          r.utf('name');
        } catch (e) {
          return e as FormatError;
        }
      })();
      expect(err).toBeInstanceOf(FormatError);
      expect(err!.code).toBe('BadUtf');
      expect(err!.offset).toBe(2);
    }
  });

  it('refuses strings longer than 65535 encoded bytes', () => {
    expect(() => new ByteWriter().utf('é'.repeat(40000))).toThrow(/65535/);
  });
});

describe('operator ids', () => {
  it('derives the id Flink derives from a uid', () => {
    expect(operatorIdFromUid('value-process-uid')).toBe('ca4f5fe9a637b656f09ea78b3e7a15b9');
  });
});

describe('digests', () => {
  const data = new TextEncoder().encode('123456789');
  it('computes sha256, crc32c and xxhash64 over bytes and streams', async () => {
    expect(await sha256(data)).toBe('15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
    expect(await crc32c(data)).toBe('e3069283');
    expect(await xxhash64(data)).toBe('8cb841db40e6ae83');
    const chunks = [data.subarray(0, 4), data.subarray(4)];
    expect(await crc32c(chunks)).toBe('e3069283');
    async function* gen() {
      yield* chunks;
    }
    expect(await sha256(gen())).toBe('15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
  });
});

describe('worked example: V6 savepoint with one operator (spec §10)', () => {
  const body = hex(`
    4960672d 00000006 0000000000000007 00000000 00000001
    0003 737263 0000 0102030405060708 1112131415161718 00000001 00000080
    01 0001 63 00000002 abcd
    00000001 00000000
    00000001 04 00000001 0001 73 00 00000001 0000000000000000 06 0002 6631 000000000000000a
    00000000
    07 00000000 00000002 0000000000000000 0000000000000005 06 0002 6632 0000000000000009
    00
    00000000 00000000`);
  const trailer = writeCheckpointProperties({
    discardCancelled: false,
    discardFailed: false,
    discardFinished: false,
    discardSubsumed: false,
    discardSuspended: false,
    forced: false,
    unclaimed: false,
    snapshotType: {
      kind: 'savepoint',
      className: 'org.apache.flink.runtime.checkpoint.SavepointType',
      name: 'Savepoint',
      formatType: 'NATIVE',
      postCheckpointAction: 'NONE',
    },
  });
  const file = new Uint8Array([...body, ...trailer]);

  it('decodes every field', () => {
    const m = decodeMetadata(file);
    expect(m.version).toBe(6);
    expect(m.checkpointId).toBe(7n);
    const op = m.operators[0]!;
    expect(op.name).toBe('src');
    expect(op.uid).toBeUndefined();
    expect(op.operatorId).toBe('01020304050607081112131415161718');
    expect(op.parallelism).toBe(1);
    expect(op.maxParallelism).toBe(128);
    expect(op.coordinatorState).toEqual({ kind: 'byteStream', name: 'c', data: hex('abcd') });
    const s = op.subtasks[0]!;
    expect(s.managedOperatorState).toEqual({
      kind: 'operatorStream',
      states: [{ name: 's', mode: 'SPLIT_DISTRIBUTE', offsets: [0n] }],
      delegate: { kind: 'relativeFile', relativePath: 'f1', size: 10n },
    });
    expect(s.managedKeyedState).toEqual({
      kind: 'savepointKeyGroups',
      keyGroupRange: { start: 0, count: 2 },
      offsets: [0n, 5n],
      delegate: { kind: 'relativeFile', relativePath: 'f2', size: 9n },
    });
    expect(s.rawKeyedState).toBeNull();
    expect(m.properties!.view!.snapshotType.kind).toBe('savepoint');
    expect(m.properties!.view!.snapshotType.formatType).toBe('NATIVE');
    expect(toHex(encodeMetadata(m))).toBe(toHex(file));
  });

  it('rejects trailing bytes after a V3 body and names the offset', () => {
    const v3 = hex('4960672d 00000003 0000000000000001 00000000 00000000 ff');
    try {
      decodeMetadata(v3);
      expect.unreachable();
    } catch (e) {
      expect((e as FormatError).code).toBe('TrailingBytes');
      expect((e as FormatError).offset).toBe(24);
    }
  });

  it('reports an unknown tag with its offset and path', () => {
    const bad = body.slice();
    bad[0x73] = 0x2a; // the managed keyed handle's tag
    try {
      decodeMetadata(new Uint8Array([...bad, ...trailer]));
      expect.unreachable();
    } catch (e) {
      const f = e as FormatError;
      expect(f.code).toBe('UnknownTag');
      expect(f.offset).toBe(0x73);
      expect(f.path).toBe('operators[0].subtasks[0].managedKeyedState');
    }
  });

  it('refuses models the format cannot hold, with the model path', () => {
    const m = decodeMetadata(file);
    m.operators[0]!.subtasks[0]!.managedKeyedState = {
      kind: 'keyGroups',
      keyGroupRange: { start: 0, count: 3 },
      offsets: [1n],
      delegate: { kind: 'emptySegmentFile' },
    };
    expect(() => encodeMetadata(m)).toThrow(/operators\[0\]\.subtasks\[0\]\.managedKeyedState/);
  });
});

describe('the runnable example', () => {
  const example = new URL('../examples/roundtrip.mjs', import.meta.url).pathname;
  const dist = new URL('../dist/index.js', import.meta.url).pathname;
  it.skipIf(!existsSync(dist))('runs and reports a byte-exact round trip', () => {
    const out = execFileSync(process.execPath, [example], { encoding: 'utf8' });
    expect(out).toMatch(/^version 6, checkpoint 1, savepoint/);
    expect(out).toMatch(/byte-exact: true/);
  });
});

describe('layout detection', () => {
  it('retries older layouts even when the wrong one fails only at the end (fast-check seed 1577992004)', () => {
    // a Flink 1.14-layout tag 10 next to a tag 13: read with the release layout, the first handle
    // swallows the second and the file "ends" with trailing bytes outside the operator section
    const meta = {
      version: 2,
      checkpointId: 0n,
      masterStates: [],
      operators: [
        {
          operatorId: '00000000000000000000000000000000',
          parallelism: 0,
          maxParallelism: 0,
          chainLength: 1,
          coordinatorState: null,
          subtasks: [
            {
              index: 0,
              managedOperatorState: null,
              rawOperatorState: null,
              managedKeyedState: { kind: 'changelogFile' as const, keyGroupRange: { start: 0, count: 0 }, segments: [], stateSize: 0n },
              rawKeyedState: {
                kind: 'changelogFile' as const,
                keyGroupRange: { start: 0, count: 0 },
                segments: [],
                stateSize: 0n,
                checkpointedSize: 0n,
                stateHandleId: '',
                storageIdentifier: '',
              },
              inputChannelState: [],
              resultSubpartitionState: [],
              legacy: { duration: 0n, legacyOperatorState: [] },
            },
          ],
        },
      ],
    };
    const bytes = encodeMetadata(meta);
    const { input: _input, ...back } = decodeMetadata(bytes);
    expect(back).toEqual(meta);
  });
});
