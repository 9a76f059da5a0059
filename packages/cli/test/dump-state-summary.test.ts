import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';
import { relocatedFixture } from './support/relocated.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sp = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');
// a real Flink savepoint whose source operator holds an empty list state (shared corpus, read in place)
const emptyOp = '/work/shared/fixtures/flink-corpus/0011/_metadata';

async function lines(...args: string[]): Promise<Record<string, unknown>[]> {
  const stdout: string[] = [];
  const io: Io = { out: (s) => stdout.push(s), err: () => undefined };
  expect(await run(['dump-state', ...args], io)).toBe(0);
  return stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!existsSync(sp))('dump-state --summary', () => {
  it('one line per state: kind, serializers, entries and bytes, entries as many as dump-state prints', async () => {
    const rows = await lines(sp, '--operator', 'keyed', '--summary');
    const entries = await lines(sp, '--operator', 'keyed');
    // every state of the header (also the empty timer queues), each once
    expect(rows.map((r) => r.state).sort()).toEqual(['_timer_state/event_user-timers', '_timer_state/processing_user-timers', 'byValue', 'max', 'sum', 'values']);
    for (const r of rows) {
      expect(r.entries).toBe(entries.filter((e) => e.state === r.state).length);
      expect(r).toMatchObject({ summary: 'keyed', keySerializer: { type: 'String' }, subtasks: [0, 1] });
    }
    expect(rows.find((r) => r.state === 'byValue')).toMatchObject({
      kind: 'MAP',
      valueSerializer: { class: 'org.apache.flink.api.common.typeutils.base.MapSerializerSnapshot', type: 'Map<Long, String>' },
      namespaceSerializer: { type: 'VoidNamespace' },
    });
    for (const r of rows) if ((r.entries as number) > 0) expect(r.bytes).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync(emptyOp))('an operator whose states hold nothing prints its summary instead of nothing', async () => {
    const rows = await lines(emptyOp, '--operator', 'd3f21cabc6fe0fdf76c8be915bdb22a2');
    expect(rows).toEqual([expect.objectContaining({ summary: 'operator', state: 'SourceReaderState', kind: 'SPLIT_DISTRIBUTE', entries: 0, bytes: 0 })]);
  });
});

// a file-merging checkpoint (Flink 2.3): the sink has no state, only the placeholder handles that keep
// the merged files' directories alive; the keyed operator's placeholders sit beside its keyed state
const mergingFixture = join(root, 'fixtures/generated/2.3.0/file-merging-checkpoint');
describe.skipIf(!existsSync(mergingFixture))('dump-state on a file-merging checkpoint', () => {
  it('an operator with only placeholder handles says it holds no state; one with keyed state prints it', async () => {
    const merging = await relocatedFixture(mergingFixture);
    const stdout: string[] = [];
    const stderr: string[] = [];
    expect(await run(['dump-state', merging, '--operator', 'sink'], { out: (s) => stdout.push(s), err: (s) => stderr.push(s) })).toBe(0);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toContain('operator sink holds no keyed or operator state');
    const keyed = await lines(merging, '--operator', 'keyed');
    expect(new Set(keyed.map((e) => e.state))).toEqual(new Set(['values', 'max', 'sum', 'byValue']));
  });
});
