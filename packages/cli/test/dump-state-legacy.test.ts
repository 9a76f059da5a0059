import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';
import { CORPUS_DIR } from '../../format/test/support/corpus.js';

// A Flink 1.3 savepoint of Flink's own migration test (LegacyStatefulJobSavepointMigrationITCase),
// read in place from the shared corpus: keyed proxy version 3, heap timers in raw keyed state.
const sp = join(CORPUS_DIR, '0683', '_metadata');
if (!existsSync(sp)) console.log(`flink corpus not found at ${CORPUS_DIR}: dump-state legacy test skipped`);

describe.skipIf(!existsSync(sp))('dump-state of a Flink 1.3 savepoint', () => {
  it('prints the managed entries and the timers of raw keyed state, without a "skipped" note', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io: Io = { out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
    expect(await run(['dump-state', sp, '--operator', 'a4996af65a2244bbdc67412e4f681060'], io)).toBe(0);
    expect(stderr).toEqual([]);
    const rows = stdout.map((l) => JSON.parse(l) as { state: string; key?: unknown; value: unknown });
    expect(rows.filter((r) => r.state === 'state-name').map((r) => [r.key, r.value]).sort()).toEqual(['0', '1', '2', '3'].map((k) => [[k], k]));
    const event = rows.filter((r) => r.state === '_timer_state/event_timer');
    expect(event.map((r) => r.value).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      ['0', '1', '2', '3'].map((k) => ({ kind: 'timer', key: [k], namespace: k, timestamp: '-9223372036854775798' })),
    );
    expect(rows.filter((r) => r.state === '_timer_state/processing_timer')).toHaveLength(4);
  });
});
