import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeMetadata, encodeMetadata, mapStreamHandles, operatorIdFromUid, UsageError, type CheckpointMetadata, type KeyedStateHandle } from '@ckpt/format';
import fc from 'fast-check';
import { javaHashCode, keyGroupForKey, keyGroupRange } from '@ckpt/restore';
import {
  KeyedStateFile,
  MemorySource,
  SnappyFraming,
  codecFor,
  encodeValue,
  moveEntries,
  writeCanonicalKeyedState,
  type RawKeyedEntry,
  StateError,
  javaKeyOf,
  keyGroupOfKey,
  keyHasher,
  type KeyedStateEntry,
  type SerializerSnapshot,
} from '../src/index.js';
import { rekeySavepoint, storageResolver } from '../src/node/index.js';
import { GENERATED, loadFixture, versions } from './support.js';

const SCENARIOS = ['keyed-hashmap-savepoint', 'keyed-rocksdb-canonical-savepoint', 'ttl-state-savepoint', 'inline-state-savepoint', 'topology-savepoint'];

interface Read {
  meta: CheckpointMetadata;
  /** operatorId → entries with the subtask's key-group range */
  entries: Map<string, { e: KeyedStateEntry; start: number; count: number }[]>;
}

async function readSavepoint(dir: string): Promise<Read> {
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
  const resolver = storageResolver(dir);
  const framing = await SnappyFraming.create();
  const entries = new Map<string, { e: KeyedStateEntry; start: number; count: number }[]>();
  for (const op of meta.operators) {
    const list: { e: KeyedStateEntry; start: number; count: number }[] = [];
    for (const s of op.subtasks) {
      const h = s.managedKeyedState as Extract<KeyedStateHandle, { kind: 'savepointKeyGroups' }> | null;
      if (!h) continue;
      const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism, framing });
      for await (const e of kf.entries()) list.push({ e, ...h.keyGroupRange });
    }
    if (list.length) entries.set(op.operatorId, list);
  }
  return { meta, entries };
}

/** (state, key, namespace, userKey, value) without the key group, as sortable strings. */
function multiset(list: { e: KeyedStateEntry }[]): string[] {
  const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x instanceof Map ? [...x] : x));
  return list.map(({ e }) => json({ s: e.state, k: e.key, n: e.namespace, u: e.userKey, v: e.value })).sort();
}

function treeHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

const work = mkdtempSync(join(tmpdir(), 'ckpt-rekey-'));

describe('rekeySavepoint', () => {
  for (const version of versions()) {
    for (const scenario of SCENARIOS) {
      const f = loadFixture(version, scenario);
      for (const mp of [256, 64, 32768]) {
        test.skipIf(!f)(`${version}/${scenario} → max parallelism ${mp}: same entries, each in Flink's key group`, async () => {
          const before = treeHash(f!.dir);
          const src = dirname(join(f!.dir, f!.manifest.metadataPath));
          const out = join(work, `${version}-${scenario}-${mp}`);
          const res = await rekeySavepoint(src, { maxParallelism: mp, out, compress: mp === 64 });
          expect(treeHash(f!.dir)).toBe(before);
          const old = await readSavepoint(src);
          const neu = await readSavepoint(out);
          expect(res.relocatable).toBe(true);
          expect(neu.meta.operators.every((o) => o.maxParallelism === mp)).toBe(true);
          expect(neu.meta.operators.map((o) => o.operatorId)).toEqual(old.meta.operators.map((o) => o.operatorId));
          expect(old.entries.size).toBeGreaterThan(0);
          expect([...neu.entries.keys()].sort()).toEqual([...old.entries.keys()].sort());
          for (const [id, list] of old.entries) {
            const moved = neu.entries.get(id)!;
            expect(multiset(moved)).toEqual(multiset(list));
            const op = neu.meta.operators.find((o) => o.operatorId === id)!;
            const keyOf = javaKeyOf((await keySerializer(out, neu.meta, id))!);
            for (const { e, start, count } of moved) {
              expect(e.keyGroup).toBe(keyGroupOfKey(keyOf, e.key, mp));
              expect(e.keyGroup).toBeGreaterThanOrEqual(start);
              expect(e.keyGroup).toBeLessThan(start + count);
            }
            op.subtasks.forEach((s, i) => expect(s.managedKeyedState && (s.managedKeyedState as { keyGroupRange: unknown }).keyGroupRange).toEqual(keyGroupRange(mp, op.parallelism, i)));
            expect(res.operators.find((r) => r.operatorId === id)!.entries).toBe(list.length);
          }
          // every file the new _metadata names is inside the new directory
          for (const op of neu.meta.operators) for (const s of op.subtasks) {
            const h = s.managedKeyedState as { delegate?: { kind: string; relativePath?: string } } | null;
            if (h?.delegate?.kind === 'relativeFile') expect(existsSync(join(out, h.delegate.relativePath!))).toBe(true);
          }
        });
      }
    }
  }

  test('--parallelism splits the new key groups over the new subtasks', async () => {
    const f = loadFixture(versions().at(-1)!, 'keyed-hashmap-savepoint')!;
    const out = join(work, 'p5');
    const res = await rekeySavepoint(f.dir, { maxParallelism: 200, parallelism: 5, operators: ['keyed', 'sink'], out });
    const neu = await readSavepoint(out);
    const keyed = neu.meta.operators.find((o) => o.uid === 'keyed')!;
    expect(keyed.parallelism).toBe(5);
    expect(keyed.subtasks.map((s) => (s.managedKeyedState as { keyGroupRange: unknown }).keyGroupRange)).toEqual([0, 1, 2, 3, 4].map((i) => keyGroupRange(200, 5, i)));
    expect(neu.meta.operators.find((o) => o.uid === 'source')!.maxParallelism).toBe(f.metadata.operators.find((o) => o.uid === 'source')!.maxParallelism);
    expect(res.operators.map((o) => o.uid).sort()).toEqual(['keyed', 'sink']);
    expect(multiset(neu.entries.get(keyed.operatorId)!)).toEqual(multiset((await readSavepoint(f.dir)).entries.get(keyed.operatorId)!));
  });

  test('operators are found by the one lookup: a uid finds its operator in V4 files (no uids stored) by the id it hashes to', async () => {
    const f = loadFixture(versions()[0]!, 'keyed-hashmap-savepoint')!;
    expect(f.metadata.version).toBe(4);
    const out = join(work, 'v4-by-uid');
    const res = await rekeySavepoint(f.dir, { maxParallelism: 64, operators: ['keyed'], out });
    const id = operatorIdFromUid('keyed');
    expect(res.operators.map((o) => [o.operatorId, o.rekeyed])).toEqual([[id, true]]);
    const neu = await readSavepoint(out);
    expect(neu.meta.operators.map((o) => [o.operatorId, o.maxParallelism])).toEqual(
      f.metadata.operators.map((o) => [o.operatorId, o.operatorId === id ? 64 : o.maxParallelism]),
    );
    expect(multiset(neu.entries.get(id)!)).toEqual(multiset((await readSavepoint(f.dir)).entries.get(id)!));
  });

  test("a caller's mistake is a UsageError (CLI exit 1), not a StateError", async () => {
    const f = loadFixture(versions().at(-1)!, 'keyed-hashmap-savepoint')!;
    const usage = async (opts: Parameters<typeof rekeySavepoint>[1], code: string) => {
      const e = await rekeySavepoint(f.dir, opts).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).code).toBe(code);
    };
    await usage({ maxParallelism: 256, out: join(work, 'u1'), operators: ['nope'] }, 'UnknownOperator');
    await usage({ maxParallelism: 0, out: join(work, 'u2') }, 'BadArgument');
    await usage({ maxParallelism: 256, parallelism: 40000, out: join(work, 'u3') }, 'BadArgument');
    await usage({ maxParallelism: 256, out: f.dir }, 'BadArgument');
    await usage({ maxParallelism: 256, out: join(work, 'no-such-parent', 'x') }, 'BadArgument');
    await usage({ maxParallelism: 1, out: join(work, 'u4') }, 'BadArgument');
    mkdirSync(join(work, 'u5'));
    await usage({ maxParallelism: 256, out: join(work, 'u5') }, 'Exists');
  });

  test('refuses to write into or over the input, or over an existing directory', async () => {
    const f = loadFixture(versions().at(-1)!, 'keyed-hashmap-savepoint')!;
    await expect(rekeySavepoint(f.dir, { maxParallelism: 256, out: f.dir })).rejects.toThrow(/outside the input/);
    await expect(rekeySavepoint(f.dir, { maxParallelism: 256, out: join(f.dir, 'sub') })).rejects.toThrow(/outside the input/);
    await expect(rekeySavepoint(f.dir, { maxParallelism: 256, out: GENERATED })).rejects.toThrow(/outside the input/);
    const existing = join(work, 'exists');
    mkdirSync(existing);
    await expect(rekeySavepoint(f.dir, { maxParallelism: 256, out: existing })).rejects.toThrow(/exists/);
    await expect(rekeySavepoint(f.dir, { maxParallelism: 1, out: join(work, 'too-small') })).rejects.toThrow(/parallelism 2 is higher than the new max parallelism 1/);
    expect(existsSync(join(work, 'too-small'))).toBe(false);
    expect(readdirSync(work).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await expect(rekeySavepoint(f.dir, { maxParallelism: 256, out: join(work, 'x'), operators: ['nope'] })).rejects.toThrow(/no operator nope/);
  });

  test('a savepoint with absolute paths gets absolute handles to the new files; untouched files stay where they are', async () => {
    const f = loadFixture(versions().at(-1)!, 'keyed-rocksdb-canonical-savepoint')!;
    const abs = join(work, 'absolute-src');
    mkdirSync(abs);
    const meta = mapStreamHandles(f.metadata, (h) => (h.kind === 'relativeFile' ? { kind: 'file', path: `file:${join(f.dir, h.relativePath)}`, size: h.size } : h));
    delete meta.input;
    writeFileSync(join(abs, '_metadata'), encodeMetadata(meta));
    const out = join(work, 'absolute-out');
    const res = await rekeySavepoint(join(abs, '_metadata'), { maxParallelism: 1024, out });
    expect(res.relocatable).toBe(false);
    expect(res.copied).toEqual([]);
    const neu = await readSavepoint(out);
    const paths: string[] = [];
    mapStreamHandles(neu.meta, (h) => (h.kind === 'file' && paths.push(h.path), h));
    const keyedFiles = res.operators.flatMap((o) => o.files).map((n) => `file:${join(out, n)}`);
    expect(keyedFiles.length).toBe(2);
    for (const k of keyedFiles) expect(paths).toContain(k);
    expect(paths.filter((p) => !keyedFiles.includes(p)).every((p) => p.startsWith(`file:${f.dir}/`))).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['_metadata', ...res.operators.flatMap((o) => o.files)].sort());
    const id = f.metadata.operators.find((o) => o.uid === 'keyed')!.operatorId;
    expect(multiset(neu.entries.get(id)!)).toEqual(multiset((await readSavepoint(f.dir)).entries.get(id)!));
  });

  test('timers (priority-queue states) move with the key inside them', async () => {
    const f = loadFixture(versions().at(-1)!, 'keyed-hashmap-savepoint')!;
    const op = f.metadata.operators.find((o) => o.uid === 'keyed')!;
    const h = op.subtasks[0]!.managedKeyedState as Extract<KeyedStateHandle, { kind: 'savepointKeyGroups' }>;
    const kf = await KeyedStateFile.open(h, f.resolver.resolve(h.delegate), { maxParallelism: 128 });
    const timerId = kf.header.states.findIndex((s) => s.backendStateType === 'PRIORITY_QUEUE');
    expect(timerId).toBeGreaterThanOrEqual(0);
    const timer = codecFor(kf.header.states[timerId]!.serializers[0]![1]);
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i * 7919}`);
    // old layout: every timer in key group 0 of a one-key-group "file" (the mover ignores old groups)
    const entries: RawKeyedEntry[] = keys.map((key, i) => ({ stateId: timerId, key: encodeValue(timer, { kind: 'timer', timestamp: BigInt(1000 + i), key, namespace: null }), value: new Uint8Array(0) }));
    const source = { name: 'synthetic', header: kf.header, keyGroups: (async function* () { yield { keyGroup: 0, entries }; })() };
    const moved = await moveEntries([source], 256, 3);
    expect(moved.entries).toBe(40);
    const found: { key: unknown; ts: bigint; kg: number }[] = [];
    for (const st of moved.subtasks) {
      const { bytes, offsets } = writeCanonicalKeyedState({ header: moved.header.raw, keyGroupStart: st.start, keyGroupCount: st.count, maxParallelism: 256, keyGroups: st.keyGroups });
      const handle = { kind: 'savepointKeyGroups' as const, keyGroupRange: { start: st.start, count: st.count }, offsets, delegate: { kind: 'byteStream' as const, name: 'x', data: bytes } };
      const back = await KeyedStateFile.open(handle, new MemorySource(bytes), { maxParallelism: 256 });
      for await (const e of back.entries()) {
        expect(e.stateKind).toBe('PRIORITY_QUEUE');
        const t = e.value as { key: unknown; timestamp: bigint };
        found.push({ key: t.key, ts: t.timestamp, kg: e.keyGroup });
      }
    }
    expect(found.map((x) => x.key).sort()).toEqual([...keys].sort());
    for (const x of found) expect(x.kg).toBe(keyGroupForKey(x.key as string, 256));
    expect(new Set(found.map((x) => x.kg)).size).toBeGreaterThan(10);
  });

  test('the direct key hashers (String, Integer, Long) agree with decoding + Java hashCode', () => {
    const base = 'org.apache.flink.api.common.typeutils.base.';
    const snap = (t: string): SerializerSnapshot => ({ className: `${base}${t}Serializer$${t}SerializerSnapshot`, version: 3, nested: [] });
    const cases: [SerializerSnapshot, fc.Arbitrary<unknown>][] = [
      [snap('String'), fc.string({ unit: 'binary', maxLength: 40 })],
      [snap('Int'), fc.integer({ min: -2147483648, max: 2147483647 })],
      [snap('Long'), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })],
    ];
    for (const [s, arb] of cases) {
      const hash = keyHasher(s);
      const codec = codecFor(s);
      const toJava = javaKeyOf(s);
      fc.assert(
        fc.property(arb, fc.uint8Array({ maxLength: 3 }), (v, pad) => {
          const bytes = new Uint8Array([...pad, ...encodeValue(codec, v), 7]);
          expect(hash(bytes, pad.length)).toBe(javaHashCode(toJava(v)));
        }),
        { numRuns: 300 },
      );
    }
    expect(() => keyHasher(snap('String'))(Uint8Array.of(0), 0)).toThrow(/null/);
    expect(() => keyHasher(snap('Long'))(Uint8Array.of(1, 2), 0)).toThrow(/past the end/);
  });

  test('keys whose Java hashCode ckpt cannot compute are a typed error naming the serializer', () => {
    const P = 'org.apache.flink.api.';
    const cases: [SerializerSnapshot, RegExp][] = [
      [{ className: `${P}common.typeutils.base.EnumSerializer$EnumSerializerSnapshot`, version: 3, nested: [], config: { kind: 'enum', enumClass: 'x.Color', constants: ['RED'] } }, /EnumSerializer.*identity/],
      [{ className: `${P}java.typeutils.runtime.kryo.KryoSerializerSnapshot`, version: 2, nested: [], config: { kind: 'kryo', typeClass: 'x.K', registrations: [], defaultSerializers: [], defaultSerializerClasses: [] } }, /KryoSerializerSnapshot.*user code/],
      [{ className: `${P}java.typeutils.runtime.PojoSerializerSnapshot`, version: 2, nested: [], config: { kind: 'pojo', pojoClass: 'x.P', fields: [] } }, /PojoSerializerSnapshot.*user code/],
      [{ className: 'com.example.MySerializerSnapshot', version: 1, nested: [] }, /com\.example\.MySerializerSnapshot/],
    ];
    for (const [s, re] of cases) {
      let err: unknown;
      try {
        javaKeyOf(s);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StateError);
      expect((err as StateError).code).toBe('UnsupportedKey');
      expect((err as StateError).message).toMatch(re);
    }
  });
});

async function keySerializer(dir: string, meta: CheckpointMetadata, id: string): Promise<SerializerSnapshot | undefined> {
  const op = meta.operators.find((o) => o.operatorId === id)!;
  const s = op.subtasks.find((x) => x.managedKeyedState)!;
  const h = s.managedKeyedState as Extract<KeyedStateHandle, { kind: 'savepointKeyGroups' }>;
  const kf = await KeyedStateFile.open(h, storageResolver(dir).resolve(h.delegate), { maxParallelism: op.maxParallelism, framing: await SnappyFraming.create() });
  return kf.header.keySerializer;
}
