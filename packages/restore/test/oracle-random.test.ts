import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeMetadata, type CheckpointMetadata, type JsonValue } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { assignStates, assignmentToJson, normalizeAssignmentJson, normalizeJob, type JobDescription } from '../src/index.js';

/**
 * Differential tests against the real Flink assignment oracle on random requests
 * (`fixtures/make-random-requests.py`): the recorded sets (committed, `fixtures/oracle/random-*.gz`,
 * see `fixtures/record-random-oracle.sh`; Flink 2.3 on the 2.3.0 fixtures, 1.20 and 2.0 on their
 * own line's fixtures) and, when `pnpm conformance` just produced one, a fresh
 * set in `conformance/target/assign-random/`. Expectations come only from Flink.
 */
const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const fresh = join(here, '../../../conformance/target/assign-random');

interface Request { id: string; metadata: string; job: JobDescription }

function lines<T>(file: string): T[] {
  const raw = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

function localMetadata(p: string): string {
  const at = p.indexOf('/test/fixtures/');
  return at < 0 ? p : join(fixtures, p.slice(at + '/test/fixtures/'.length));
}

const metaCache = new Map<string, CheckpointMetadata>();

/** Ids of requests where ckpt's answer differs from Flink's (with the first difference's JSON). */
function compare(requestsFile: string, answersFile: string): { total: number; ok: number; differences: string[] } {
  const requests = lines<Request>(requestsFile);
  const answers = new Map(lines<{ id: string } & Record<string, JsonValue>>(answersFile).map((a) => [a.id, a]));
  const differences: string[] = [];
  let ok = 0;
  for (const r of requests) {
    const file = localMetadata(r.metadata);
    let meta = metaCache.get(file);
    if (!meta) metaCache.set(file, (meta = decodeMetadata(new Uint8Array(readFileSync(file)))));
    const flink = answers.get(r.id);
    if (!flink) {
      differences.push(`${r.id}: no answer from Flink`);
      continue;
    }
    const job = normalizeJob({ ...r.job, checkpointPointer: `file:${dirname(r.metadata)}` });
    const assignment = assignStates(meta, job);
    const ours = normalizeAssignmentJson(assignmentToJson(assignment)) as Record<string, JsonValue>;
    const theirs = normalizeAssignmentJson(flink as JsonValue) as Record<string, JsonValue>;
    // When several vertices fail their preconditions, Flink reports one chosen by identity hash
    // codes: accept it when it is one of the failures ckpt found.
    const flinkMessage = (theirs.error as { message?: string } | undefined)?.message;
    if (!assignment.ok && flinkMessage !== undefined && assignment.findings.some((f) => f.severity === 'error' && f.message === flinkMessage)) {
      ours.error = theirs.error!;
    }
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
      differences.push(`${r.id}: ckpt ${JSON.stringify(ours).slice(0, 300)} … Flink ${JSON.stringify(theirs).slice(0, 300)}`);
    } else if ((flink as { ok?: boolean }).ok) ok++;
  }
  return { total: requests.length, ok, differences };
}

describe('assignment matches real Flink on random requests', () => {
  const recorded = join(fixtures, 'oracle', 'random-requests.jsonl.gz');
  it('on the recorded set (≥ 1000 requests)', () => {
    const r = compare(recorded, join(fixtures, 'oracle', 'random-flink-2.3.jsonl.gz'));
    expect(r.total).toBeGreaterThanOrEqual(1000);
    expect(r.ok).toBeGreaterThan(100);
    expect(r.differences).toEqual([]);
  });

  for (const line of ['1.20', '2.0']) {
    it(`on the recorded set of Flink ${line} (its own fixtures)`, () => {
      const r = compare(join(fixtures, 'oracle', `random-requests-${line}.jsonl.gz`), join(fixtures, 'oracle', `random-flink-${line}.jsonl.gz`));
      expect(r.total).toBeGreaterThanOrEqual(300);
      expect(r.ok).toBeGreaterThan(50);
      expect(r.differences).toEqual([]);
    });
  }

  const freshRequests = join(fresh, 'requests.jsonl');
  it.skipIf(!existsSync(freshRequests))('on the fresh set of the last `pnpm conformance` run', () => {
    const r = compare(freshRequests, join(fresh, 'flink-2.3.jsonl'));
    console.log(`fresh random assignment cases: ${r.total} compared, ${r.ok} restorable, ${r.differences.length} differences`);
    expect(r.differences.slice(0, 5)).toEqual([]);
  });
});
