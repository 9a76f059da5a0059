import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  SnappyFraming,
  StateError,
  codecFor,
  snappyjsCodec,
  encodeValue,
  moveEntries,
  streamEntries,
  type RawKeyedEntry,
} from '../src/index.js';
import { expectMoverBytes, loadFixture, rawSources, versions, type Fixture } from './support.js';

const latest = versions().at(-1);
const fixtures = ['keyed-hashmap-savepoint', 'keyed-rocksdb-canonical-savepoint'].map((s) => (latest ? loadFixture(latest, s) : undefined)).filter((f): f is Fixture => f !== undefined);
if (fixtures.length === 0) console.log('fixtures/generated missing: streamed re-keying tests skipped');

const sources = (f: Fixture) => rawSources(f);

describe.skipIf(fixtures.length === 0)('re-keying key group by key group', () => {
  test('gives the bytes, offsets and counts of the in-memory mover for any parallelism, shard and compression', async () => {
    // snappyjs: its output is a function of the input alone (hysnappy's can depend on earlier calls)
    const framing = await SnappyFraming.create({ codec: snappyjsCodec });
    for (const f of fixtures) {
      const { maxParallelism: N, open } = await sources(f);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 9 }).chain((p) => fc.tuple(fc.constant(p), fc.subarray(Array.from({ length: p }, (_, i) => i)), fc.boolean(), fc.boolean())),
          async ([p, subset, shard, compressed]) => {
            const only = shard ? subset : undefined;
            const moved = await moveEntries(await open(), N, p, only);
            const streamed = streamEntries(await open(), N, p, only);
            expect(streamed.header).toEqual(moved.header);
            expect(streamed.subtasks.map((s) => s.index)).toEqual(moved.subtasks.map((s) => s.index));
            const total = await expectMoverBytes(moved, streamed, N, compressed, framing);
            await streamed.close();
            expect(total).toBe(moved.entries);
            if (!only) expect(total).toBeGreaterThan(0);
          },
        ),
        { numRuns: 12 },
      );
    }
  });

  test('a key stored in another key group than its hash gives, or key groups out of order, are BadKeyGroup errors', async () => {
    const f = fixtures[0]!;
    const { maxParallelism: N, open } = await sources(f);
    const [src] = await open();
    const timerId = src!.header.states.findIndex((s) => s.backendStateType === 'PRIORITY_QUEUE');
    const timer = codecFor(src!.header.states[timerId]!.serializers[0]![1]);
    const entries: RawKeyedEntry[] = Array.from({ length: 20 }, (_, i) => ({ stateId: timerId, key: encodeValue(timer, { kind: 'timer', timestamp: 1000n, key: `user-${i * 7919}`, namespace: null }), value: new Uint8Array(0) }));
    const run = async (groups: { keyGroup: number; entries: RawKeyedEntry[] }[]) => {
      const s = streamEntries([{ name: 'synthetic', header: src!.header, keyGroups: (async function* () { yield* groups; })() }], N, 1);
      for await (const _ of s.subtasks[0]!.keyGroups);
    };
    // every timer in key group 0: most keys belong elsewhere
    const err = await run([{ keyGroup: 0, entries }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe('BadKeyGroup');
    expect((err as Error).message).toMatch(/key group 0 holds a key of key group \d+/);
    // the real pairs of two key groups, given in descending order
    const real = [];
    for await (const g of src!.keyGroups) real.push(g);
    const [a, b] = real.slice(0, 2);
    const late = await run([b!, a!]).catch((e: unknown) => e);
    expect((late as StateError).code).toBe('BadKeyGroup');
    expect((late as Error).message).toContain(`key group ${a!.keyGroup} comes after key group ${b!.keyGroup}`);
  });
});
