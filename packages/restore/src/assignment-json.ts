import { encodeValue, type JsonValue } from '@ckpt/format';
import type { Assignment, OperatorSubtaskRestore } from './assign.js';
import type { GateRescaling, RescalingDescriptor } from './channel-assignment.js';
import type { Finding } from './findings.js';

/** Model values as JSON (bigint → decimal string, bytes → base64), as `@ckpt/format` writes them. */
export function encodeJson(v: unknown): JsonValue {
  return encodeValue(v);
}

function operatorJson(o: OperatorSubtaskRestore): JsonValue {
  return encodeJson({
    operatorId: o.operatorId,
    managedKeyedState: o.managedKeyedState,
    rawKeyedState: o.rawKeyedState,
    managedOperatorState: o.managedOperatorState,
    rawOperatorState: o.rawOperatorState,
    inputChannelState: o.inputChannelState,
    resultSubpartitionState: o.resultSubpartitionState,
    inputRescaling: rescalingJson(o.inputRescaling),
    outputRescaling: rescalingJson(o.outputRescaling),
  });
}

/** A rescaling descriptor as the oracle prints it: `NO_STATE` entries only as `{ noState: true }`. */
function rescalingJson(d: RescalingDescriptor): (GateRescaling | { noState: true })[] | null {
  return d === null ? null : d.map((g) => (g.noState ? { noState: true as const } : g));
}

function errorJson(f: Finding): JsonValue {
  const cls = f.exceptionClass ?? 'java.lang.IllegalStateException';
  return { class: cls, message: f.message, chain: `${cls}: ${f.message}` };
}

/**
 * JSON form of an {@link Assignment}, in the shape of the conformance assignment oracle's output
 * (`conformance/run.sh <line> assign`): handles in the model's JSON form (bigint → decimal string,
 * bytes → base64), vertices in job order, operators head first, `restore: null` for subtasks that
 * start empty. ckpt-only extras are under keys starting with `_` (the oracle's extras convention).
 */
export function assignmentToJson(a: Assignment): JsonValue {
  const findings = encodeJson(a.findings);
  if (!a.ok) return { ok: false, error: errorJson(a.error!), _findings: findings };
  return encodeJson({
    ok: true,
    checkpointId: a.checkpointId.toString(),
    vertices: a.vertices.map((v) => ({
      name: v.vertex.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      subtasks: v.subtasks.map((s) => {
        if (s.restore === null) return { index: s.index, restore: null };
        const r = s.restore;
        return {
          index: s.index,
          restoreCheckpointId: r.checkpointId.toString(),
          taskDeployedAsFinished: r.deployedAsFinished,
          operators: r.deployedAsFinished
            ? v.vertex.operators.map((op) => ({ operatorId: op.generatedOperatorId, state: null }))
            : r.operators.map(operatorJson),
        };
      }),
    })),
    ...(a.masterHooks !== undefined ? { masterHooks: a.masterHooks } : {}),
    _findings: findings,
    _coordinators: encodeJson(a.coordinators),
    _unrestoredOperatorIds: a.unrestoredOperatorIds,
  });
}

/**
 * Normalises an assignment JSON (ours or the oracle's) for comparison, following the oracle's
 * rules: drops `_` keys and `stateHandleId`s (random for handles Flink creates), sorts operator
 * handles by delegate and their `states` by name (Flink builds both from hash maps), and keeps
 * only the error class and message.
 */
export function normalizeAssignmentJson(j: JsonValue): JsonValue {
  const strip = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      const out: { [k: string]: JsonValue } = {};
      for (const k of Object.keys(v).sort()) {
        if (k.startsWith('_') || k === 'stateHandleId' || k === 'metadata' || k === 'chain' || k === 'id') continue;
        let x = strip(v[k]!);
        if (k === 'states' && Array.isArray(x)) x = sortBy(x, (e) => JSON.stringify((e as { name?: JsonValue }).name));
        if ((k === 'managedOperatorState' || k === 'rawOperatorState') && Array.isArray(x)) {
          x = sortBy(x, (e) => JSON.stringify((e as { delegate?: JsonValue }).delegate));
        }
        out[k] = x;
      }
      return out;
    }
    return v;
  };
  return strip(j);
}

function sortBy(xs: JsonValue[], key: (x: JsonValue) => string): JsonValue[] {
  return [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
