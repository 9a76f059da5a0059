import { describe, expect, test } from 'vitest';
import type { KeyedStateHandle, OperatorStateHandle } from '@ckpt/format';
import {
  KeyedStateFile,
  MemorySource,
  OperatorStateFile,
  readAll,
  SnappyFraming,
  StateError,
  STREAM_IDENTIFIER,
  type KeyedStateEntry,
  type OperatorStateEntry,
} from '../src/index.js';
import { loadFixture, operatorByUid, versions } from './support.js';

const version = versions().find((v) => loadFixture(v, 'keyed-hashmap-savepoint')) ?? '2.0.1';
const framing = await SnappyFraming.create();

function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

async function keyedFixture(scenario: string) {
  const f = loadFixture(version, scenario)!;
  const op = operatorByUid(f, 'keyed');
  const h = op.subtasks[0]!.managedKeyedState as Extract<KeyedStateHandle, { delegate: unknown }>;
  const bytes = await readAll(f.resolver.resolve(h.delegate));
  return { h, bytes, maxParallelism: op.maxParallelism };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Re-writes a keyed file with key-group compression, as Flink does (header flag, framed groups). */
function compressKeyed(bytes: Uint8Array, offsets: number[], heap: boolean): { bytes: Uint8Array; offsets: bigint[] } {
  const sorted = offsets.filter((o) => o !== 0).sort((a, b) => a - b);
  const headerEnd = sorted[0]!;
  const header = bytes.slice(0, headerEnd);
  header[4] = 1;
  const parts: Uint8Array[] = [header];
  let pos = headerEnd;
  const remap = new Map<number, number>();
  for (let i = 0; i < sorted.length; i++) {
    const o = sorted[i]!;
    const region = bytes.subarray(o, sorted[i + 1] ?? bytes.length);
    const out = heap ? cat([region.subarray(0, 4), framing.encode(region.subarray(4))]) : framing.encode(region);
    remap.set(o, pos);
    parts.push(out);
    pos += out.length;
  }
  return { bytes: cat(parts), offsets: offsets.map((o) => BigInt(o === 0 ? 0 : remap.get(o)!)) };
}

describe(`compressed state (re-written from ${version} fixtures)`, () => {
  for (const scenario of ['keyed-hashmap-savepoint', 'keyed-hashmap-checkpoint']) {
    test(`${scenario}: compressed key groups read back the same entries`, async () => {
      const { h, bytes, maxParallelism } = await keyedFixture(scenario);
      const plain = await KeyedStateFile.open(h, new MemorySource(bytes), { maxParallelism });
      const expected = await collect(plain.entries());
      const c = compressKeyed(bytes, h.offsets.map(Number), plain.format === 'heap');
      const handle = { ...h, offsets: c.offsets } as KeyedStateHandle;
      const src = new MemorySource(c.bytes, 'compressed');
      // the header's compression flag is enough: no framing passed, the reader makes its own
      const file = await KeyedStateFile.open(handle, src, { maxParallelism });
      expect(file.header.compressed).toBe(true);
      expect(file.format).toBe(plain.format);
      expect(await collect(file.entries())).toEqual(expected);
      const withOwn = await KeyedStateFile.open(handle, src, { maxParallelism, framing });
      expect(await collect(withOwn.entries())).toEqual(expected);
    });
  }

  test('operator state: compressed partitions (one chunk per element) read back the same', async () => {
    const f = loadFixture(version, 'operator-state-savepoint')!;
    const h = operatorByUid(f, 'opstate').subtasks[0]!.managedOperatorState! as OperatorStateHandle;
    const bytes = await readAll(f.resolver.resolve(h.delegate));
    const expected = await collect((await OperatorStateFile.open(h, new MemorySource(bytes))).entries());
    const all = h.states.flatMap((s) => s.offsets.map(Number)).sort((a, b) => a - b);
    const header = bytes.slice(0, all[0]!);
    header[4] = 1;
    const parts: Uint8Array[] = [header, STREAM_IDENTIFIER];
    let pos = header.length + STREAM_IDENTIFIER.length;
    const remap = new Map<number, number>();
    all.forEach((o, i) => {
      const chunk = framing.encodeChunks(bytes.subarray(o, all[i + 1] ?? bytes.length));
      remap.set(o, pos);
      parts.push(chunk);
      pos += chunk.length;
    });
    const handle = { ...h, states: h.states.map((s) => ({ ...s, offsets: s.offsets.map((o) => BigInt(remap.get(Number(o))!)) })) };
    const file = await OperatorStateFile.open(handle, new MemorySource(cat(parts)));
    expect(file.header.compressed).toBe(true);
    const got = await collect(file.entries());
    const strip = (e: OperatorStateEntry) => ({ ...e, offset: undefined });
    expect(got.map(strip)).toEqual(expected.map(strip));
  });
});

describe('truncated and corrupted files give typed errors with file and offset', () => {
  test('keyed file cut inside the last key group', async () => {
    const { h, bytes, maxParallelism } = await keyedFixture('keyed-hashmap-savepoint');
    const cut = new MemorySource(bytes.subarray(0, bytes.length - 7), 'cut.bin');
    const file = await KeyedStateFile.open(h, cut, { maxParallelism });
    const err = await collect(file.entries()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err).toMatchObject({ code: 'Truncated', file: 'cut.bin' });
  });

  test('keyed header cut short', async () => {
    const { h, bytes, maxParallelism } = await keyedFixture('keyed-hashmap-savepoint');
    const err = await KeyedStateFile.open(h, new MemorySource(bytes.subarray(0, 300), 'short.bin'), { maxParallelism }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err).toMatchObject({ code: 'Truncated', file: 'short.bin' });
  });

  test('wrong key-group prefix, unknown state id, bad proxy version', async () => {
    const { h, bytes, maxParallelism } = await keyedFixture('keyed-hashmap-savepoint');
    const first = h.offsets.map(Number).find((o) => o !== 0)!;
    const wrongGroup = bytes.slice();
    wrongGroup[first + 6] = (wrongGroup[first + 6]! & 0x80) | 0x7f; // first key's prefix
    const e1 = await collect((await KeyedStateFile.open(h, new MemorySource(wrongGroup, 'kg.bin'), { maxParallelism })).entries()).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'BadKeyGroup', file: 'kg.bin', offset: first + 6 });
    const wrongId = bytes.slice();
    wrongId[first + 1] = 0x63;
    const e2 = await collect((await KeyedStateFile.open(h, new MemorySource(wrongId, 'id.bin'), { maxParallelism })).entries()).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'BadValue', file: 'id.bin' });
    const wrongVersion = bytes.slice();
    wrongVersion[3] = 9;
    await expect(KeyedStateFile.open(h, new MemorySource(wrongVersion, 'v.bin'), { maxParallelism })).rejects.toMatchObject({
      code: 'UnsupportedVersion',
      file: 'v.bin',
      offset: 0,
    });
  });

  test('operator file truncated and with garbage in an element', async () => {
    const f = loadFixture(version, 'operator-state-savepoint')!;
    const h = operatorByUid(f, 'broadcast').subtasks[0]!.managedOperatorState! as OperatorStateHandle;
    const bytes = await readAll(f.resolver.resolve(h.delegate));
    const cut = await OperatorStateFile.open(h, new MemorySource(bytes.subarray(0, bytes.length - 3), 'op.bin'));
    await expect(collect(cut.entries())).rejects.toMatchObject({ code: 'Truncated', file: 'op.bin' });
    const big = bytes.slice();
    const at = Number(h.states[0]!.offsets[0]);
    big[at] = 0x7f; // map size
    const bad = await OperatorStateFile.open(h, new MemorySource(big, 'op2.bin'));
    const err = await collect(bad.entries()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).offset).toBeGreaterThanOrEqual(at);
    await expect(OperatorStateFile.open(h, new MemorySource(bytes.subarray(0, 100), 'op3.bin'))).rejects.toMatchObject({ code: 'Truncated', file: 'op3.bin' });
  });

  test('every single-byte truncation of a keyed file fails with a StateError, never anything else', async () => {
    const { h, bytes, maxParallelism } = await keyedFixture('keyed-hashmap-savepoint');
    for (let n = 0; n < bytes.length; n += 37) {
      const result = await (async () => {
        const file = await KeyedStateFile.open(h, new MemorySource(bytes.subarray(0, n)), { maxParallelism });
        return collect(file.entries() as AsyncIterable<KeyedStateEntry>);
      })().catch((e: unknown) => e);
      expect(result).toBeInstanceOf(StateError);
    }
  });
});
