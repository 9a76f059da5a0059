import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  RunBuffer,
  RunReader,
  SnappyFraming,
  groupByKeyGroup,
  mergeRuns,
  moveEntries,
  snappyjsCodec,
  type RawKeyedSource,
  type SortedPair,
} from '../src/index.js';
import { rekeySavepoint, spillEntries } from '../src/node/index.js';
import { expectMoverBytes, loadFixture, rawSources, versions, type Fixture } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'ckpt-spill-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

const pair = fc.record({
  keyGroup: fc.nat(40),
  stateId: fc.nat(3),
  key: fc.uint8Array({ maxLength: 12 }),
  value: fc.uint8Array({ maxLength: 40 }),
});

/** `pairs` in the order a rekeyed key group is written: key group, state id, then reading order. */
function stableSorted(pairs: SortedPair[]): SortedPair[] {
  return pairs.map((p, i) => ({ p, i })).sort((a, b) => a.p.keyGroup - b.p.keyGroup || a.p.stateId - b.p.stateId || a.i - b.i).map((x) => x.p);
}

const plain = (ps: SortedPair[]) => ps.map((p) => ({ keyGroup: p.keyGroup, stateId: p.stateId, key: [...p.key], value: [...p.value] }));

describe('sorted runs', () => {
  test('pairs split into runs of any size, each sorted, merged back: the stable sort of all of them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 120 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 97 }), async (pairs, budget, chunk) => {
        const runs: Uint8Array[] = [];
        const buf = new RunBuffer();
        for (const p of pairs) {
          buf.add(p.keyGroup, p.stateId, p.key, p.value);
          if (buf.bytes >= budget) {
            runs.push(Buffer.concat([...buf.run(chunk)]));
            buf.clear();
          }
        }
        if (buf.count > 0) runs.push(Buffer.concat([...buf.run(chunk)]));
        // each run read back in chunks that cut records anywhere
        const readers = runs.map((r, rank) => new RunReader(chunked(r, chunk), rank, `run ${rank}`));
        const merged: SortedPair[] = [];
        for await (const p of mergeRuns(readers)) merged.push(p);
        expect(plain(merged)).toEqual(plain(stableSorted(pairs)));
        // all in one buffer, grouped in memory: the same order
        const one = new RunBuffer();
        for (const p of pairs) one.add(p.keyGroup, p.stateId, p.key, p.value);
        const grouped = [...one.groups()].flatMap((g) => g.entries.map((e) => ({ keyGroup: g.keyGroup, ...e })));
        expect(plain(grouped)).toEqual(plain(stableSorted(pairs)));
        // grouped: ascending key groups, each once
        const groups: number[] = [];
        for await (const g of groupByKeyGroup(merged)) groups.push(g.keyGroup);
        expect(groups).toEqual([...new Set(stableSorted(pairs).map((p) => p.keyGroup))]);
      }),
      { numRuns: 200 },
    );
  });

  test('a run cut inside a record is a Truncated error naming the run and the offset', async () => {
    const buf = new RunBuffer();
    buf.add(1, 0, Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5));
    buf.add(2, 0, Uint8Array.of(6), Uint8Array.of(7));
    const whole = Buffer.concat([...buf.run()]);
    const reader = new RunReader(chunked(whole.subarray(0, whole.length - 1), 5), 0, 'run-0');
    expect(await reader.next()).toBe(true);
    await expect(reader.next()).rejects.toMatchObject({ code: 'Truncated', file: 'run-0', offset: 21 });
  });
});

const latest = versions().at(-1);
const fixtures = ['keyed-hashmap-savepoint', 'keyed-rocksdb-canonical-savepoint'].map((s) => (latest ? loadFixture(latest, s) : undefined)).filter((f): f is Fixture => f !== undefined);
if (fixtures.length === 0) console.log('fixtures/generated missing: spilled re-keying tests skipped');

const sources = (f: Fixture) => rawSources(f).open;

describe.skipIf(fixtures.length === 0)('re-keying to a new max parallelism in bounded memory', () => {
  test('spilled to sorted runs at any memory budget: the bytes, offsets and counts of the in-memory mover', async () => {
    const framing = await SnappyFraming.create({ codec: snappyjsCodec });
    for (const f of fixtures) {
      const open = sources(f);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: Math.min(n, 7) }))),
          fc.boolean(),
          fc.integer({ min: 1, max: 4096 }),
          fc.boolean(),
          async ([n, p], shard, memoryBytes, compressed) => {
            const only = shard ? [0, p - 1].filter((x, i, a) => a.indexOf(x) === i) : undefined;
            const moved = await moveEntries(await open(), n, p, only);
            const spilled = spillEntries(await open(), n, p, only, { memoryBytes, tmpDir: tmp });
            let total = 0;
            try {
              total = await expectMoverBytes(moved, spilled, n, compressed, framing);
              // a small budget did spill (and the runs are on disk until close)
              if (memoryBytes < 200 && moved.entries > 0) expect(readdirSync(tmp).length).toBe(1);
            } finally {
              await spilled.close();
            }
            expect(total).toBe(moved.entries);
            expect(readdirSync(tmp)).toEqual([]);
          },
        ),
        { numRuns: 15 },
      );
    }
  });

  test('runs are removed when the conversion fails half-way', async () => {
    const f = fixtures[0]!;
    const [src] = await sources(f)();
    let n = 0;
    const failing: RawKeyedSource = {
      ...src!,
      keyGroups: (async function* () {
        for await (const g of src!.keyGroups) {
          if (n++ === 3) throw new Error('disk gone');
          yield g;
        }
      })(),
    };
    const spilled = spillEntries([failing], 200, 2, undefined, { memoryBytes: 64, tmpDir: tmp });
    const drain = async () => {
      for (const st of spilled.subtasks) for await (const g of st.keyGroups) void g;
    };
    await expect(drain()).rejects.toThrow(/disk gone/);
    expect(readdirSync(tmp).length).toBe(1);
    await spilled.close();
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(tmp)).toBe(true);
  });
});

const rocks = loadFixture('2.3.0', 'keyed-rocksdb-native-savepoint');

describe.skipIf(!rocks)('ckpt rekey with runs on disk', () => {
  test('a RocksDB savepoint to a new max parallelism through 64-byte runs: the bytes of the conversion held in memory', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ckpt-spill-rekey-'));
    try {
      const opts = { maxParallelism: 300, parallelism: 3 };
      await rekeySavepoint(rocks!.dir, { ...opts, out: join(base, 'memory') });
      const runs = join(base, 'runs');
      mkdirSync(runs);
      await rekeySavepoint(rocks!.dir, { ...opts, out: join(base, 'spilled'), spill: { memoryBytes: 64, tmpDir: runs } });
      const names = readdirSync(join(base, 'memory')).sort();
      expect(names.filter((n) => n.startsWith('keyed-')).length).toBe(3);
      expect(readdirSync(join(base, 'spilled')).sort()).toEqual(names);
      for (const n of names) expect(readFileSync(join(base, 'spilled', n)).equals(readFileSync(join(base, 'memory', n))), n).toBe(true);
      // the runs were removed
      expect(readdirSync(runs)).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
