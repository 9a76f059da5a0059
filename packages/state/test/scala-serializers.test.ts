import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ByteReader, ByteWriter, decodeMetadata, type KeyedStateHandle } from '@ckpt/format';
import {
  codecFor,
  describeSnapshot,
  encodeValue,
  KeyedStateFile,
  readVersionedSnapshot,
  VALUE_SERIALIZER,
  serializer,
  type KeyedStateEntry,
} from '../src/index.js';
import { storageResolver } from '../src/node/index.js';
import { kryoClassTag } from '../src/serializers/kryo.js';
import { SCALA_MIGRATION_JOB_TYPES } from './support.js';

// Flink's own Scala migration savepoint (flink-tests, stateful-scala-udf-migration-itcase-flink1.19-rocksdb-savepoint),
// read in place from the shared real-file corpus.
const CORPUS = '/work/shared/fixtures/flink-corpus';
const SCALA_SP = `${CORPUS}/0602/_metadata`;
const OPERATOR = 'd1392353922252257afa15351a98bae9';
const S = 'org.apache.flink.api.scala.typeutils.';

async function openScalaState() {
  const metadata = decodeMetadata(new Uint8Array(readFileSync(SCALA_SP)));
  const resolver = storageResolver(dirname(SCALA_SP));
  const op = metadata.operators.find((o) => o.operatorId === OPERATOR)!;
  const files: KeyedStateFile[] = [];
  for (const s of op.subtasks) {
    const h = s.managedKeyedState as Extract<KeyedStateHandle, { delegate: unknown }> | null;
    if (h) files.push(await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism }));
  }
  return files;
}

describe.skipIf(!existsSync(SCALA_SP))('Scala serializers of a real Flink 1.19 savepoint', () => {
  test('snapshots: enum, Option, Either, Try, case classes, collections with their nested serializers', async () => {
    const [file] = await openScalaState();
    const types = Object.fromEntries(file!.header.states.map((m) => [m.name, describeSnapshot(serializer(m, VALUE_SERIALIZER)!)]));
    expect(types).toMatchObject(SCALA_MIGRATION_JOB_TYPES);
    const enumSnap = serializer(file!.header.states.find((m) => m.name === 'enumOneState')!, VALUE_SERIALIZER)!;
    expect(enumSnap.config).toMatchObject({ kind: 'scalaEnum', constants: [{ name: 'ONE', id: 0 }, { name: 'TWO', id: 1 }, { name: 'THREE', id: 2 }, { name: 'FOUR', id: 3 }] });
  });

  test('values decode to typed JSON, and every value encodes back to the bytes Flink wrote', async () => {
    const entries: KeyedStateEntry[] = [];
    let roundTrips = 0;
    for (const file of await openScalaState()) {
      for await (const e of file.entries()) entries.push(e);
      const codecs = file.header.states.map((m) => codecFor(serializer(m, VALUE_SERIALIZER)!));
      for await (const kg of file.rawKeyGroups()) {
        for (const raw of kg.entries) {
          const c = codecs[raw.stateId]!;
          const r = new ByteReader(raw.value);
          const v = c.readWhole ? c.readWhole(r) : c.read(r);
          expect(r.remaining).toBe(0);
          expect(encodeValue(c, v)).toEqual(raw.value);
          roundTrips++;
        }
      }
    }
    expect(roundTrips).toBe(entries.length);
    const byState = new Map(entries.map((e) => [e.state, e.value]));
    expect(byState.get('optionNoneState')).toEqual({ kind: 'none' });
    expect(byState.get('optionState')).toMatchObject({ kind: 'some', value: [expect.any(String), expect.any(BigInt)] });
    expect(byState.get('eitherLeftState')).toMatchObject({ kind: 'left' });
    expect(byState.get('eitherRightState')).toMatchObject({ kind: 'right', value: expect.any(String) });
    expect(byState.get('tryState')).toMatchObject({ kind: 'success' });
    expect(byState.get('tryFailureState')).toMatchObject({
      kind: 'failure',
      throwable: { kind: 'kryo', declared: 'java.lang.Throwable', class: 'java.lang.RuntimeException' },
    });
    expect(byState.get('enumOneState')).toEqual({ kind: 'scalaEnum', enum: 'org.apache.flink.api.scala.migration.CustomEnum$', name: 'THREE', id: 2 });
    expect(byState.get('caseClassWithNestingState')).toEqual([expect.any(BigInt), [expect.any(String), expect.any(BigInt)]]);
    expect(Array.isArray(byState.get('collectionState'))).toBe(true);
  });
});

/** `utf className`, `int version`, then the payload. */
function snapshotBytes(className: string, version: number, payload: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter(64);
  w.utf(className);
  w.i32(version);
  payload(w);
  return w.finish();
}

describe('Scala snapshots and codecs from constructed bytes', () => {
  test('ScalaEnumSerializerSnapshot v3: ids need not be ordinals; unknown ids and names are refused', () => {
    const snap = readVersionedSnapshot(new ByteReader(snapshotBytes(`${S}ScalaEnumSerializerSnapshot`, 3, (w) => {
      w.utf('x.Color$');
      w.i32(2);
      (w.utf('RED'), w.i32(7), w.utf('BLUE'), w.i32(9));
    })));
    const c = codecFor(snap);
    expect(c.fixedLength).toBe(4);
    expect(c.read(new ByteReader(Uint8Array.of(0, 0, 0, 9)))).toEqual({ kind: 'scalaEnum', enum: 'x.Color$', name: 'BLUE', id: 9 });
    expect(encodeValue(c, { kind: 'scalaEnum', enum: 'x.Color$', name: 'RED', id: 7 })).toEqual(Uint8Array.of(0, 0, 0, 7));
    expect(() => c.read(new ByteReader(Uint8Array.of(0, 0, 0, 1)))).toThrow(expect.objectContaining({ code: 'BadValue' }));
    expect(() => encodeValue(c, { kind: 'scalaEnum', name: 'RED', id: 9 })).toThrow(expect.objectContaining({ code: 'BadValue' }));
  });

  test('Unit is one byte; a user serializer stays refused with its class named', () => {
    const unit = codecFor(readVersionedSnapshot(new ByteReader(snapshotBytes(`${S}UnitSerializer$UnitSerializerSnapshot`, 3, () => undefined))));
    expect([unit.type, unit.fixedLength, unit.read(new ByteReader(Uint8Array.of(0)))]).toEqual(['Unit', 1, null]);
    expect(() => readVersionedSnapshot(new ByteReader(snapshotBytes('com.acme.MySerializerSnapshot', 1, (w) => w.i32(5)))))
      .toThrow(expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.acme.MySerializerSnapshot') }));
  });

  test("Kryo's class tag: null, an unregistered class by name, a registered id", () => {
    expect(kryoClassTag(Uint8Array.of(0))).toBeNull();
    const name = [...'a.B'].map((c) => c.charCodeAt(0));
    name[name.length - 1]! |= 0x80;
    expect(kryoClassTag(Uint8Array.of(1, 0, ...name, 1, 2))).toBe('a.B');
    expect(kryoClassTag(Uint8Array.of(9, 6))).toBe('registered #7 (long)');
    expect(kryoClassTag(Uint8Array.of(42))).toBe('registered #40');
  });
});
