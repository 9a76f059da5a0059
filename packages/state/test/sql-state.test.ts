import { describe, expect, test } from 'vitest';
import { keyGroupForKeyHash } from '@ckpt/restore';
import { binaryRowHash, encodeBinaryRow, KeyedStateFile, RocksDbKeyedState, type KeyedStateEntry, type LogicalType } from '../src/index.js';
import { loadFixture, versions, type Fixture } from './support.js';

/**
 * The state of the conformance SQL job (conformance SqlJobs: group / distinct aggregate,
 * deduplicate, regular / interval / temporal join, top-N, window aggregate) read without any
 * of the job's classes, on every Flink line, HashMap and RocksDB, against the contents the job
 * wrote to its manifest.
 */
const SCENARIOS = ['sql-hashmap-savepoint', 'sql-ttl-hashmap-savepoint', 'sql-rocksdb-incremental-checkpoint'];

const isTtl = (v: unknown): v is { kind: 'ttl'; value: unknown } => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'ttl';

type Row = Record<string, unknown>;

/** Every keyed entry of the stateful operator of `query` (the n-th operator named like it). */
async function entriesOf(f: Fixture, query: string): Promise<KeyedStateEntry[]> {
  // with table.exec.state.ttl the values of most SQL states (each list element, each map value) are TTL-wrapped
  const unwrap = (v: unknown) => (isTtl(v) ? v.value : v);
  return (await rawEntriesOf(f, query)).map((e) => ({ ...e, value: e.stateKind === 'LIST' ? (e.value as unknown[]).map(unwrap) : unwrap(e.value) }));
}

async function rawEntriesOf(f: Fixture, query: string): Promise<KeyedStateEntry[]> {
  const q = f.manifest.expected.sql.queries[query];
  const named = (f.manifest.operators as { name: string; operatorId: string }[]).filter(
    (o) => o.name === q.operator || o.name.startsWith(`${q.operator}[`),
  );
  const id = named[q.occurrence]!.operatorId;
  const op = f.metadata.operators.find((o) => o.operatorId === id)!;
  const out: KeyedStateEntry[] = [];
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (!h) continue;
    if (h.kind === 'incremental') {
      const rs = await RocksDbKeyedState.open(h, (x) => f.resolver.resolve(x), { maxParallelism: op.maxParallelism });
      for await (const e of rs.entries()) out.push(e);
    } else if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') {
      const kf = await KeyedStateFile.open(h, f.resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      for await (const e of kf.entries()) out.push(e);
    } else {
      throw new Error(`unexpected keyed handle ${h.kind}`);
    }
  }
  return out;
}

const of = (es: KeyedStateEntry[], state: string) => es.filter((e) => e.state === state);
const str = (v: unknown) => String(v);
const keyOf = (e: KeyedStateEntry) => (e.key as Row).f0 as string;
const iso = (ms: number) => new Date(ms).toISOString();

for (const version of versions()) {
  for (const scenario of SCENARIOS) {
    const f = loadFixture(version, scenario);
    if (!f) continue;
    const queries = f.manifest.expected.sql.queries;
    describe(`SQL state ${version} ${scenario}`, () => {
      test('state TTL: values of aggregates, deduplication and joins carry their last access time exactly when configured', async () => {
        const ttl = typeof f.manifest.config?.['table.exec.state.ttl'] === 'string';
        for (const q of ['group_aggregate', 'distinct_aggregate', 'deduplicate', 'regular_join']) {
          const users = (await rawEntriesOf(f, q)).filter((e) => e.stateKind !== 'PRIORITY_QUEUE');
          expect(users.length).toBeGreaterThan(0);
          for (const e of users) {
            expect(isTtl(e.value), `${q} ${e.state}`).toBe(ttl);
            if (isTtl(e.value)) expect((e.value as unknown as { lastAccessTimestamp: bigint }).lastAccessTimestamp).toBeGreaterThan(1_700_000_000_000n);
          }
        }
      });

      test('group aggregate: one accumulator row per word (count, sums, max)', async () => {
        const acc = of(await entriesOf(f, 'group_aggregate'), 'accState');
        expect(acc).toHaveLength(queries.group_aggregate.rows.length);
        const got = Object.fromEntries(acc.map((e) => [keyOf(e), e.value as Row]));
        for (const r of queries.group_aggregate.rows) {
          const v = got[r.key.word]!;
          expect([v.f0, v.f1, v.f2, v.f3].map(str)).toEqual([r.value.cnt, r.value.total, r.value.max_amount, r.value.sum_amount].map(str));
        }
      });

      test('distinct aggregate: accumulators and the distinct-value map view', async () => {
        const es = await entriesOf(f, 'distinct_aggregate');
        const acc = of(es, 'accState');
        const distinct = of(es, 'distinctAcc_0');
        const rows = queries.distinct_aggregate.rows;
        expect(acc).toHaveLength(rows.length);
        expect(distinct).toHaveLength(rows.reduce((n: number, r: any) => n + r.value.words, 0));
        for (const r of rows) {
          const a = acc.find((e) => keyOf(e) === r.key.cur)!.value as Row;
          expect([str(a.f0), str(a.f1)]).toEqual([str(r.value.words), str(r.value.cnt)]);
          const words = distinct.filter((e) => keyOf(e) === r.key.cur).map((e) => e.userKey).sort();
          expect(words).toEqual(['w0', 'w1', 'w2', 'w3']);
        }
      });

      test('deduplicate: the last row per word, with its rowtime', async () => {
        const st = of(await entriesOf(f, 'deduplicate'), 'deduplicate-state');
        expect(st).toHaveLength(queries.deduplicate.rows.length);
        for (const r of queries.deduplicate.rows) {
          const v = st.find((e) => keyOf(e) === r.key.word)!.value as Row;
          expect([v.f0, str(v.f1), v.f2, v.f3]).toEqual([r.value.word, str(r.value.n), r.value.amount, iso(r.value.ts)]);
        }
      });

      test('regular join: every left record and every right rate per currency', async () => {
        const es = await entriesOf(f, 'regular_join');
        for (const r of queries.regular_join.rows) {
          const left = of(es, 'left-records').filter((e) => keyOf(e) === r.key.cur);
          expect(left).toHaveLength(r.leftRecords);
          expect(left.every((e) => e.value === 1 && (e.userKey as Row).f1 === r.key.cur)).toBe(true);
          const right = of(es, 'right-records').filter((e) => keyOf(e) === r.key.cur);
          expect(right.map((e) => (e.userKey as Row).f1).sort()).toEqual([...r.rightRates].sort());
        }
      });

      test('top-N: the two highest n per currency', async () => {
        const st = of(await entriesOf(f, 'top_n'), 'data-state-with-append');
        for (const r of queries.top_n.rows) {
          const ns = st.filter((e) => keyOf(e) === r.key.cur).map((e) => Number((e.userKey as Row).f0));
          expect(ns.sort((a, b) => b - a)).toEqual(r.n);
        }
      });

      test('window aggregate: the still-open window per word', async () => {
        const st = of(await entriesOf(f, 'window_aggregate'), 'window-aggs');
        expect(st).toHaveLength(queries.window_aggregate.rows.length);
        for (const r of queries.window_aggregate.rows) {
          const e = st.find((x) => keyOf(x) === r.key.word)!;
          expect(str(e.namespace)).toBe(str(r.windowEnd));
          expect([str((e.value as Row).f0), str((e.value as Row).f1)]).toEqual([str(r.value.cnt), str(r.value.total)]);
        }
      });

      test('every entry sits in the key group of its row key (BinaryRowData hash, as Flink assigns it)', async () => {
        const keyTypes: LogicalType[] = [{ root: 'VARCHAR', nullable: true, length: 2147483647 }];
        let n = 0;
        for (const q of Object.keys(queries)) {
          for (const e of await entriesOf(f, q)) {
            if (e.stateKind === 'PRIORITY_QUEUE') continue;
            expect(Object.keys(e.key as Row)).toEqual(['f0']);
            expect(keyGroupForKeyHash(binaryRowHash(encodeBinaryRow(e.key as Row, keyTypes)), 128), `${q} ${e.state}`).toBe(e.keyGroup);
            n++;
          }
        }
        expect(n).toBeGreaterThan(50);
      });

      test('over aggregate: buffered input rows by rowtime, accumulators per word', async () => {
        const es = await entriesOf(f, 'over_aggregate');
        expect(of(es, 'accState').map(keyOf).sort()).toEqual(['w0', 'w1', 'w2', 'w3']);
        const input = of(es, 'inputState');
        expect(input.length).toBeGreaterThan(0);
        for (const e of input) {
          for (const row of e.value as Row[]) {
            expect(row.f0).toBe(keyOf(e));
            expect(row.f2).toBe(iso(Number(e.userKey)));
          }
        }
      });

      test('retracting top-N: the sorted map of sort keys and the rows behind them', async () => {
        const es = await entriesOf(f, 'retract_top_n');
        const sorted = of(es, 'sorted-map');
        expect(sorted).toHaveLength(3);
        for (const r of queries.distinct_aggregate.rows) {
          const m = sorted.find((e) => keyOf(e) === r.key.cur)!.value as Map<Row, unknown>;
          // every word was counted 10 times: one sort key (cnt = 10) holding all rows of the currency
          expect([...m].map(([k, n]) => [str(k.f0), str(n)])).toEqual([['10', str(r.value.cnt)]]);
          const rows = of(es, 'data-state').filter((e) => keyOf(e) === r.key.cur).flatMap((e) => e.value as Row[]);
          expect(rows).toHaveLength(r.value.cnt);
          expect(rows.every((x) => x.f0 === r.key.cur && str(x.f2) === '10')).toBe(true);
        }
      });

      test('typed rows: ARRAY, MAP, ROW, numerics, BOOLEAN, BYTES, DATE, TIME, TIMESTAMP(6), intervals, DECIMAL(30, 4)', async () => {
        const st = of(await entriesOf(f, 'typed_rows'), 'deduplicate-state');
        expect(st).toHaveLength(queries.typed_rows.rows.length);
        // the planner orders the stored columns: compare each expected value with the row's values
        const norm = (v: unknown): string =>
          JSON.stringify(v, (_k, x) =>
            typeof x === 'bigint' ? String(x) : typeof x === 'number' ? String(x) : x instanceof Map ? Object.fromEntries(x) : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x,
          );
        for (const r of queries.typed_rows.rows) {
          const row = st.find((e) => keyOf(e) === r.key.word)!.value as Row;
          const got = Object.values(row).map((v) => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array) ? Object.values(v) : v)).map(norm);
          const e = r.value;
          for (const want of [e.arr, e.m, e.r, e.ti, e.fl, e.bo, e.b, e.d, e.tm, e.ts6, e.ivMillis, e.ymMonths, e.dec30]) {
            expect(got, norm(want)).toContain(norm(want));
          }
          // TINYINT, SMALLINT, INT, FLOAT, DOUBLE and the YEAR-MONTH interval (months) are numbers
          expect(Object.values(row).filter((v) => typeof v === 'number' && v === e.i)).toHaveLength(6);
        }
      });

      test('LISTAGG with retraction: the ListView state holds the words of each currency', async () => {
        const es = await entriesOf(f, 'listagg_retract');
        const lists = of(es, 'agg0$list');
        expect(lists).toHaveLength(queries.listagg_retract.rows.length);
        for (const r of queries.listagg_retract.rows) {
          expect((lists.find((e) => keyOf(e) === r.key.cur)!.value as string[]).sort()).toEqual(r.words);
        }
        // the accumulator row: its ListView fields are a STRUCTURED type with named attributes
        const acc = of(es, 'accState')[0]!.value as Row;
        expect(Object.keys(acc.f0 as Row).sort()).toEqual(['list', 'retractList']);
      });

      test('interval and temporal joins: buffered rows decode to typed columns', async () => {
        const ij = await entriesOf(f, 'interval_join');
        const cache = ij.filter((e) => e.state.startsWith('IntervalJoin') && e.state.endsWith('Cache'));
        expect(cache.length).toBeGreaterThan(0);
        for (const e of cache) {
          for (const [row, emitted] of e.value as [Row, boolean][]) {
            expect(row.f0).toBe(keyOf(e));
            expect(typeof emitted).toBe('boolean');
            expect(row.f2).toMatch(/^2023-11-14T22:1\d:\d\d\.000Z$/);
          }
        }
        const tj = await entriesOf(f, 'temporal_join');
        const left = of(tj, 'left');
        const right = of(tj, 'right');
        expect(left.length + right.length).toBeGreaterThan(0);
        for (const e of [...left, ...right]) expect((e.value as Row).f0).toBe(keyOf(e));
        for (const e of right) expect((e.value as Row).f1).toMatch(/^1\.0\d{17}$/);
      });
    });
  }
}
