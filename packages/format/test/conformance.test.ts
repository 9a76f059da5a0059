import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, DEFAULT_DIALECT, toJson, type CheckpointPropertiesView, type JsonValue } from '../src/index.js';

// Differential test against real Flink: `pnpm conformance` (scripts/conformance.sh dump) loads
// every _metadata file with Flink's own loader and prints our JSON model; here the TypeScript
// decoder must agree. The normalisations are exactly those listed in conformance/README.md.

const dumps = resolve(dirname(fileURLToPath(import.meta.url)), '../../../conformance/target/dumps');
const LINES = ['1.20', '2.0', '2.3'];

type Json = { [k: string]: JsonValue };

interface DumpLine {
  path: string;
  ok: boolean;
  metadata?: Json;
  error?: { message?: string };
}

function readDump(line: string): DumpLine[] {
  const f = join(dumps, `flink-${line}.jsonl`);
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as DumpLine);
}

/** Fields Flink invents on read when the file does not have them (random ids, defaults). */
const INVENTED = new Set(['stateHandleId', 'checkpointedSize', 'checkpointId', 'storageIdentifier', 'materializationId']);
/** Fields only the byte format has; invisible to Flink's objects. */
const BYTES_ONLY = new Set(['operatorStateFlagsRaw', 'isEmptyRaw', 'refMarkerRaw', 'legacy', 'chain', 'chainLength', 'input', 'view']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Brings the TS decode (`ours`) and Flink's dump (`theirs`) to comparable forms, in place. */
function align(ours: JsonValue, theirs: JsonValue): void {
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    ours.forEach((o, i) => align(o, theirs[i] ?? null));
    return;
  }
  if (!isObj(ours) || !isObj(theirs)) return;
  for (const k of Object.keys(theirs)) {
    if (k.startsWith('_') || (INVENTED.has(k) && !(k in ours)) || BYTES_ONLY.has(k)) delete theirs[k];
  }
  for (const k of BYTES_ONLY) delete ours[k];
  if (ours.kind === 'changelog' && Array.isArray(ours.materialized)) {
    ours.materialized = ours.materialized.filter((m) => m !== null);
  }
  if (typeof ours.backendId === 'string' && !UUID.test(ours.backendId)) delete ours.backendId, delete theirs.backendId;
  for (const side of [ours, theirs]) {
    const r = side.keyGroupRange;
    if (isObj(r) && r.count === 0) r.start = 0;
    if (typeof side.finishedMarker === 'number') side.finishedMarker = -1;
    if (Array.isArray(side.states)) side.states = [...side.states].sort((a, b) => String((a as Json).name).localeCompare(String((b as Json).name)));
    if (Array.isArray(side.subtasks)) side.subtasks = [...side.subtasks].sort((a, b) => Number((a as Json).index) - Number((b as Json).index));
  }
  for (const k of Object.keys(ours)) if (k in theirs) align(ours[k]!, theirs[k]!);
}

/**
 * The dump's `_properties` (conformance Dump.propertiesJson: Flink's getters of the loaded
 * CheckpointProperties) computed from ckpt's decoded trailer.
 */
function flinkProperties(v: CheckpointPropertiesView): Json {
  const t = v.snapshotType;
  const savepoint = t.kind === 'savepoint';
  const str = (x: string | null | undefined) => String(x ?? null); // Java's String.valueOf
  return {
    discardOnJobCancelled: v.discardCancelled,
    discardOnJobFailed: v.discardFailed,
    discardOnJobFinished: v.discardFinished,
    discardOnSubsumed: v.discardSubsumed,
    discardOnJobSuspended: v.discardSuspended,
    forced: v.forced,
    unclaimed: v.unclaimed,
    checkpointType: {
      class: t.className,
      name: t.name,
      isSavepoint: savepoint,
      // SavepointType has no such field: its getSharingFilesStrategy() is NO_SHARING
      sharingFilesStrategy: savepoint ? 'NO_SHARING' : str(t.sharingFilesStrategy),
      ...(savepoint ? { formatType: str(t.formatType), postCheckpointAction: str(t.postCheckpointAction) } : {}),
      // Java deserialization only succeeds when the stream's SUID is the runtime class's
      serialVersionUID: v.classes.find((c) => c.name === t.className)?.suid ?? null,
    },
  };
}

/**
 * Compares ckpt's decode of `e.path` with Flink's dump `e` (expect fails on a difference). The
 * trailer: `_properties` always against the decoded trailer; `properties.raw` byte for byte only
 * when the dumping JVM re-serialized the file's own bytes (`_trailerMatchesFile`).
 */
function compareWithDump(e: DumpLine & { metadata: Json }): void {
  const decoded = decodeMetadata(new Uint8Array(readFileSync(e.path)));
  const ours = toJson(decoded) as Json;
  const theirs = structuredClone(e.metadata);
  // A null CheckpointProperties (State Processor API) leaves Flink's dump without properties.
  if (!('properties' in theirs) && isObj(ours.properties) && ours.properties.view === null) delete ours.properties;
  if ('_properties' in theirs) {
    const view = decoded.properties?.view;
    expect(view ? flinkProperties(view) : null, `${e.path}: parsed properties`).toEqual(theirs._properties);
  }
  if (theirs._trailerMatchesFile === false && isObj(ours.properties) && isObj(theirs.properties)) {
    delete ours.properties.raw;
    delete theirs.properties.raw;
  }
  align(ours, theirs);
  expect(ours, e.path).toEqual(theirs);
}

const available = LINES.filter((l) => readDump(l).length > 0);
if (available.length === 0) console.log(`no conformance dumps in ${dumps} (run pnpm conformance): comparison skipped`);

describe.skipIf(available.length === 0)('decodes exactly what real Flink decodes', () => {
  for (const line of available) {
    const entries = readDump(line);
    it(`Flink ${line}: every file Flink loads, ckpt loads the same (${entries.filter((e) => e.ok).length} files)`, () => {
      let compared = 0;
      for (const e of entries) {
        if (!e.ok || !e.metadata) continue;
        compareWithDump(e as DumpLine & { metadata: Json });
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });

    it(`Flink ${line}: a trailer Flink re-serializes differently is still compared, by its parsed properties`, () => {
      // no real file has such a trailer yet: make one of a real entry (raw bytes that differ)
      const e = entries.find((x) => x.ok && x.metadata && '_properties' in x.metadata) as (DumpLine & { metadata: Json }) | undefined;
      expect(e).toBeDefined();
      const other = structuredClone(e!);
      other.metadata._trailerMatchesFile = false;
      (other.metadata.properties as Json).raw = 'rO0ABQ==';
      compareWithDump(other);
      const props = other.metadata._properties as Json;
      props.forced = !props.forced;
      expect(() => compareWithDump(other)).toThrow(/parsed properties/);
      props.forced = !props.forced;
      (props.checkpointType as Json).serialVersionUID = '1';
      expect(() => compareWithDump(other)).toThrow(/parsed properties/);
    });

    it(`Flink ${line}: refuses only files ckpt knows it cannot read`, () => {
      // a newer format version, version 1 (unsupported since Flink 1.11), pre-1.2 legacy operator
      // state, or a layout older than the release layout (Flink 1.14 / 1.15-dev changelog handles,
      // 1.11 channel state)
      const newest = line === '1.20' ? 4 : line === '2.0' ? 5 : 6;
      for (const e of entries.filter((x) => !x.ok)) {
        const bytes = new Uint8Array(readFileSync(e.path));
        const meta = decodeMetadata(bytes);
        const legacyState = meta.operators.some((o) => o.subtasks.some((s) => (s.legacy?.legacyOperatorState.length ?? 0) > 0));
        let olderLayout = false;
        try {
          decodeMetadata(bytes, { dialect: DEFAULT_DIALECT });
        } catch {
          olderLayout = true;
        }
        const known = meta.version > newest || meta.version === 1 || legacyState || olderLayout;
        expect(known, `${e.path}: ${e.error?.message}`).toBe(true);
      }
    });
  }
});
