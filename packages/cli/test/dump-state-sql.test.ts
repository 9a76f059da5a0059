import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sp = join(root, 'fixtures/generated/2.3.0/sql-hashmap-savepoint');

async function lines(...args: string[]): Promise<Record<string, any>[]> {
  const stdout: string[] = [];
  const io: Io = { out: (s) => stdout.push(s), err: () => undefined };
  expect(await run(['dump-state', ...args], io)).toBe(0);
  return stdout.map((l) => JSON.parse(l) as Record<string, any>);
}

/** The operator id of the stateful operator of a query of the SQL fixture. */
function operatorOf(query: string): string {
  const m = JSON.parse(readFileSync(join(sp, 'manifest.json'), 'utf8'));
  const q = m.expected.sql.queries[query];
  return m.operators.filter((o: { name: string }) => o.name.startsWith(`${q.operator}[`))[q.occurrence].operatorId;
}

describe.skipIf(!existsSync(sp))('dump-state on a Flink SQL job (no job classes)', () => {
  it('prints the group aggregate as key and accumulator rows with typed columns', async () => {
    const rows = (await lines(sp, '--operator', operatorOf('group_aggregate'))).filter((r) => r.state === 'accState');
    expect(rows.map((r) => r.key.f0).sort()).toEqual(['w0', 'w1', 'w2', 'w3']);
    // COUNT(*) BIGINT, SUM(n) BIGINT, MAX(DECIMAL(10, 2)), SUM(DECIMAL(38, 18)): exact strings
    expect(rows.find((r) => r.key.f0 === 'w1')).toMatchObject({
      stateKind: 'VALUE',
      namespace: null,
      value: { f0: '10', f1: '190', f2: '46.25', f3: '237.500000000000000000' },
    });
  });

  it('prints rows with their row kind and timestamps as ISO strings (deduplicate)', async () => {
    const rows = await lines(sp, '--operator', operatorOf('deduplicate'));
    expect(rows.find((r) => r.key.f0 === 'w3')).toMatchObject({
      state: 'deduplicate-state',
      value: { f0: 'w3', f1: '39', f2: '48.750000000000000000', f3: '2023-11-14T22:13:59.000Z', $rowKind: 'UPDATE_AFTER' },
    });
  });

  it('--summary names the SQL types of key and value', async () => {
    const rows = await lines(sp, '--operator', operatorOf('group_aggregate'), '--summary');
    expect(rows.find((r) => r.state === 'accState')).toMatchObject({
      keySerializer: { type: 'RowData<STRING>' },
      valueSerializer: { type: expect.stringMatching(/^RowData<BIGINT( NOT NULL)?, BIGINT, DECIMAL\(10, 2\), DECIMAL\(38, 18\)>$/) },
      entries: 4,
    });
  });

  it('rekey moves SQL state (RowData keys) to the key groups Flink would use at the new max parallelism', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ckpt-sql-rekey-')), 'new');
    const io: Io = { out: () => undefined, err: () => undefined };
    expect(await run(['rekey', sp, '--max-parallelism', '256', '--out', out], io)).toBe(0);
    for (const q of ['group_aggregate', 'regular_join', 'window_aggregate']) {
      const id = operatorOf(q);
      const strip = (r: Record<string, any>) => JSON.stringify({ ...r, subtask: undefined, keyGroup: undefined });
      const before = await lines(sp, '--operator', id);
      const after = await lines(out, '--operator', id);
      expect(after.map(strip).sort()).toEqual(before.map(strip).sort());
      // murmur(hash) % 256 and % 128 agree modulo 128: every entry lands where its old group says
      const oldGroup = new Map(before.filter((r) => r.key).map((r) => [JSON.stringify(r.key), r.keyGroup]));
      for (const r of after.filter((x) => x.key)) expect(r.keyGroup % 128).toBe(oldGroup.get(JSON.stringify(r.key)));
      expect(after.some((r) => r.keyGroup >= 128)).toBe(true);
    }
  });
});
