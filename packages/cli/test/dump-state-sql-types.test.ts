import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';

/**
 * The conformance job SqlTypesJobs (fixtures/generated/<line>/sql-types-savepoint and its RocksDB
 * native twin): state Flink wrote
 * of CHAR(n), BINARY(n), VARBINARY(n), TIMESTAMP(9), TIMESTAMP_LTZ(6) / (9), DECIMAL(38, 10) next to
 * DECIMAL(10, 2), INTERVAL YEAR TO MONTH / DAY TO SECOND, ARRAY<ROW>, MAP<_, ARRAY>, MULTISET and RAW
 * of a class of the job (a scalar function's result and an aggregate function's accumulator), printed
 * by dump-state exactly as the job's manifest says, on every Flink line.
 */
const generated = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/generated');
const SCENARIOS = ['sql-types-savepoint', 'sql-types-rocksdb-native-savepoint'];
const fixtures = (existsSync(generated) ? readdirSync(generated).sort() : []).flatMap((line) =>
  SCENARIOS.filter((s) => existsSync(join(generated, line, s, 'manifest.json'))).map((s) => ({ line, dir: join(generated, line, s) })),
);

type Json = Record<string, any>;

async function dump(...args: string[]): Promise<Json[]> {
  const stdout: string[] = [];
  const io: Io = { out: (s) => stdout.push(s), err: () => undefined };
  expect(await run(['dump-state', ...args], io)).toBe(0);
  return stdout.map((l) => JSON.parse(l) as Json);
}

/**
 * dump-state's JSON in the manifest's shape: bytes ({base64}) as their base64 text, maps and
 * multisets ({map: [[k, v]]}) as objects, nested rows as the list of their values; numbers (which
 * dump-state prints as decimal strings when they are 64-bit) as decimal strings on both sides.
 */
function shape(v: unknown, nestedRow = false): unknown {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map((x) => shape(x, true));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Json;
  if (typeof o.base64 === 'string' && Object.keys(o).length === 1) return o.base64;
  if (Array.isArray(o.map) && Object.keys(o).length === 1) return Object.fromEntries(o.map.map(([k, x]: [unknown, unknown]) => [String(shape(k)), shape(x, true)]));
  if (o.kind === 'raw') return { ...o, bytes: shape(o.bytes) };
  if (nestedRow) return Object.values(o).map((x) => shape(x, true));
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, shape(x, true)]));
}

if (fixtures.length === 0) it.skip('no sql-types fixtures under fixtures/generated (run conformance generate)', () => undefined);
for (const { line, dir } of fixtures) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const queries = manifest.expected.sqlTypes.queries;
  const operatorOf = (query: string): string => {
    const q = queries[query];
    return manifest.operators.filter((o: { name: string }) => o.name.startsWith(`${q.operator}[`))[q.occurrence].operatorId;
  };

  describe(`dump-state of every SQL logical type, as Flink ${line} wrote it (${manifest.scenario})`, () => {
    it('deduplication: each kept row holds exactly the manifest value of every column', async () => {
      const out = (await dump(dir, '--operator', operatorOf('types_dedup'))).filter((r) => r.state === 'deduplicate-state');
      expect(out.map((r) => r.key.f0).sort()).toEqual(queries.types_dedup.rows.map((r: Json) => r.key.word));
      for (const want of queries.types_dedup.rows) {
        const got = out.find((r) => r.key.f0 === want.key.word)!.value as Json;
        const { $rowKind, ...columns } = got;
        expect($rowKind).toBe('UPDATE_AFTER');
        // the stored row is the query's input row: the manifest's columns, in order
        const names = Object.keys(want.value);
        expect(Object.keys(columns)).toHaveLength(names.length);
        Object.values(columns).forEach((v, i) => {
          expect(shape(v, true), names[i]).toEqual(shape(want.value[names[i]!]));
        });
      }
    });

    it('group aggregate: MAX accumulators of each type, the COLLECT map view and a RAW accumulator', async () => {
      const out = await dump(dir, '--operator', operatorOf('types_aggregate'));
      const acc = out.filter((r) => r.state === 'accState');
      const views = out.filter((r) => /^agg\d+\$map$/.test(r.state));
      expect(acc.map((r) => r.key.f0).sort()).toEqual(queries.types_aggregate.rows.map((r: Json) => r.key.word));
      for (const want of queries.types_aggregate.rows) {
        const got = Object.values(acc.find((r) => r.key.f0 === want.key.word)!.value as Json);
        const w = want.value;
        // MAX(CHAR(5)), MAX(TIMESTAMP(9)), MAX(TIMESTAMP_LTZ(6)), MAX(TIMESTAMP_LTZ(9)), MAX(DECIMAL(38, 10)), MAX(DECIMAL(10, 2))
        expect(got.slice(0, 6)).toEqual([w.max_ch, w.max_ts9, w.max_ltz6, w.max_ltz9, w.max_wide, w.max_compact]);
        // COLLECT(VARBINARY): its accumulator's MapView lives in a map state of its own (element → count)
        expect(got[6]).toEqual({ map: { kind: 'raw', class: 'org.apache.flink.table.api.dataview.MapView', bytes: expect.anything() } });
        const counts = views.filter((r) => r.key.f0 === want.key.word).map((r) => [r.userKey.base64, r.value]);
        expect(Object.fromEntries(counts)).toEqual(w.vbins);
        // the aggregate function's RAW accumulator: the job's class and Flink's bytes of it
        expect(shape(got[7])).toEqual(w.cents);
      }
    });

    it('--summary names every logical type of the stored rows', async () => {
      const out = await dump(dir, '--operator', operatorOf('types_dedup'), '--summary');
      const type = out.find((r) => r.state === 'deduplicate-state')!.valueSerializer.type as string;
      for (const t of ['CHAR(5)', 'BINARY(4)', 'VARBINARY(8)', 'TIMESTAMP(9)', 'TIMESTAMP_LTZ(6)', 'TIMESTAMP_LTZ(9)', 'DECIMAL(38, 10)', 'DECIMAL(10, 2)', 'INTERVAL MONTH', 'INTERVAL SECOND(3)', 'MULTISET<STRING>', 'ARRAY<ROW<', 'MAP<STRING, ARRAY<BIGINT>', 'RAW(dev.ckpt.conformance.SqlTypesJobs$Money)']) {
        expect(type).toContain(t);
      }
    });
  });
}
