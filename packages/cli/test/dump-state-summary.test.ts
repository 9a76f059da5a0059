import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';

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
