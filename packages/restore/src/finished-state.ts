import type { OperatorState } from '@ckpt/format';
import { messages, type Finding } from './findings.js';
import type { JobGraph, JobVertex } from './job.js';

/**
 * Flink's finished-operators topology check (`VertexFinishedStateChecker`), run on savepoint and
 * initial restores before the state assignment: every vertex is classified from its operators'
 * stored states, and a finished vertex must not follow vertices that still run.
 */
export type VertexFinishedState = 'ALL_RUNNING' | 'PARTIALLY_FINISHED' | 'FULLY_FINISHED';

/** Enum order (Flink prints the mixed states sorted by it). */
const ORDER: VertexFinishedState[] = ['ALL_RUNNING', 'PARTIALLY_FINISHED', 'FULLY_FINISHED'];

function operatorFinishedState(s: OperatorState | undefined): VertexFinishedState {
  if (s === undefined) return 'ALL_RUNNING';
  if (s.finishedMarker !== undefined) return 'FULLY_FINISHED';
  return s.subtasks.some((x) => x.finished === true) ? 'PARTIALLY_FINISHED' : 'ALL_RUNNING';
}

/** The vertex's state, or the mixed states when its operators disagree. */
export function vertexFinishedState(v: JobVertex, stored: ReadonlyMap<string, OperatorState>): VertexFinishedState | VertexFinishedState[] {
  const states = new Set(
    v.operators.map((op) => {
      const user = op.userDefinedOperatorId;
      return operatorFinishedState(stored.get(user !== undefined && stored.has(user) ? user : op.generatedOperatorId));
    }),
  );
  return states.size === 1 ? [...states][0]! : ORDER.filter((s) => states.has(s));
}

/**
 * Appends one error finding per vertex that fails the check. Flink stops at the first failing
 * vertex in an identity-hash order; which one it reports is not predictable, every candidate is a
 * finding here.
 */
export function validateFinishedState(stored: ReadonlyMap<string, OperatorState>, job: JobGraph, findings: Finding[]): void {
  const states = job.vertices.map((v) => vertexFinishedState(v, stored));
  const reported = new Set<number>();
  const stateOf = (vi: number): VertexFinishedState | undefined => {
    const s = states[vi]!;
    if (!Array.isArray(s)) return s;
    if (!reported.has(vi)) {
      reported.add(vi);
      const v = job.vertices[vi]!;
      findings.push(messages.mixedFinishedState(v.name, v.id, s));
    }
    return undefined;
  };
  job.vertices.forEach((v, vi) => {
    const own = stateOf(vi);
    if (own === 'FULLY_FINISHED') {
      for (const e of v.inputs) {
        const pred = stateOf(e.from);
        if (pred === undefined) return;
        if (pred !== 'FULLY_FINISHED') {
          findings.push(messages.fullyFinishedPredecessor(v.name, v.id));
          return;
        }
      }
    } else if (own === 'PARTIALLY_FINISHED') {
      // several edges from one predecessor: ALL_TO_ALL wins
      const pattern = new Map<number, string>();
      for (const e of v.inputs) if (pattern.get(e.from) !== 'ALL_TO_ALL') pattern.set(e.from, e.pattern);
      for (const e of v.inputs) {
        const pred = stateOf(e.from);
        if (pred === undefined) return;
        const p = pattern.get(e.from);
        if (p === 'ALL_TO_ALL' && pred !== 'FULLY_FINISHED') {
          findings.push(messages.partiallyFinishedAllToAll(v.name, v.id, pred === 'ALL_RUNNING'));
          return;
        }
        if (p === 'POINTWISE' && pred === 'ALL_RUNNING') {
          findings.push(messages.partiallyFinishedPointwise(v.name, v.id));
          return;
        }
      }
    }
  });
}
