import { describe, expect, test } from 'vitest';
import { MemorySource } from '../src/io/source.js';
import { operatorEntries, OperatorStateFile, summarizeOperatorState } from '../src/index.js';
import { loadFixture, operatorByUid, versions } from './support.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

// File-merging checkpoints (FLIP-306, Flink 1.20+) give every subtask an operator state handle, even
// an operator without operator state: a placeholder with no states over an empty segment.
for (const version of versions()) {
  const f = loadFixture(version, 'file-merging-checkpoint');
  describe.skipIf(!f)(`file-merging checkpoint ${version}`, () => {
    test('operators without operator state read as such: the keyed operator prints its entries, the others no states', async () => {
      let placeholders = 0;
      for (const op of f!.metadata.operators) {
        for (const s of op.subtasks) {
          const h = s.managedOperatorState;
          if (h?.kind !== 'fileMergingOperatorStream' || !h.isEmpty) continue;
          placeholders++;
          expect(h.delegate.kind).toBe('emptySegmentFile');
          const file = await OperatorStateFile.open(h, f!.resolver.resolve(h.delegate));
          expect(file.states).toEqual([]);
          expect(await collect(file.entries())).toEqual([]);
        }
      }
      expect(placeholders).toBeGreaterThan(0);

      const keyed = operatorByUid(f!, f!.manifest.expected.keyed.operatorUid);
      const items = await collect(operatorEntries(keyed, f!.resolver));
      const keys = new Set(items.map((e) => String((e as { key?: unknown }).key)));
      expect(keys).toEqual(new Set(Object.keys(f!.manifest.expected.keyed.keys)));
      // the sink keeps only placeholders: no state rows at all
      expect(await summarizeOperatorState(operatorByUid(f!, 'sink'), f!.resolver)).toEqual([]);
      // the source's real operator state still comes out
      const source = await collect(operatorEntries(operatorByUid(f!, 'source'), f!.resolver));
      expect(source.some((e) => (e as { state?: string }).state === 'SourceReaderState')).toBe(true);
    });
  });
}

describe('an operator state handle naming states over no bytes is still an error', () => {
  test('states listed, empty stream → Truncated, not silently empty', async () => {
    const h = { kind: 'operatorStream', states: [{ name: 's', mode: 'SPLIT_DISTRIBUTE', offsets: [0n] }], delegate: { kind: 'emptySegmentFile' } } as never;
    await expect(OperatorStateFile.open(h, new MemorySource(new Uint8Array(0), 'empty'))).rejects.toMatchObject({ code: 'Truncated' });
  });
});
