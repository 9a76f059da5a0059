import { hasState, type CheckpointMetadata, type OperatorState } from '@ckpt/format';
import { messages, type Finding } from './findings.js';
import type { JobGraph, JobVertex } from './job.js';

/**
 * Checks Flink runs before any state is assigned: execution-graph build, savepoint load
 * (`Checkpoints.loadAndValidateCheckpoint`) and mapping completeness. Each appends findings.
 */

/** Graph build: `parallelism <= maxParallelism` per vertex; non-head max parallelism warnings. */
export function validateGraph(job: JobGraph, findings: Finding[]): void {
  for (const v of job.vertices) {
    if (v.parallelism > v.maxParallelism) findings.push(messages.parallelismAboveMax(v.name, v.parallelism, v.maxParallelism));
    for (const op of v.operators.slice(1)) {
      if (op.maxParallelism !== undefined && op.maxParallelism !== v.maxParallelism) {
        findings.push(messages.chainIgnored(v.name, op.generatedOperatorId, op.maxParallelism, v.maxParallelism));
      }
    }
  }
}

/** Every id (generated and user-defined) of the job, with its vertex. */
function operatorLookup(job: JobGraph): Map<string, JobVertex> {
  const out = new Map<string, JobVertex>();
  for (const v of job.vertices) {
    for (const op of v.operators) {
      out.set(op.generatedOperatorId, v);
      if (op.userDefinedOperatorId !== undefined) out.set(op.userDefinedOperatorId, v);
    }
  }
  return out;
}

/** Whether Flink lets a vertex take the checkpoint's max parallelism `m`. */
export function canRescaleMaxParallelism(v: JobVertex, m: number): boolean {
  return !v.maxParallelismConfigured && m !== -1;
}

/**
 * Savepoint load-time validation, in metadata order; stops at the first refusal as Flink does.
 * Returns the stored states that stay (matched ones).
 */
export function validateSavepointLoad(meta: CheckpointMetadata, job: JobGraph, findings: Finding[]): Map<string, OperatorState> {
  const lookup = operatorLookup(job);
  const kept = new Map<string, OperatorState>();
  const pointer = job.checkpointPointer ?? '<checkpoint pointer>';
  for (const s of meta.operators) {
    const v = lookup.get(s.operatorId);
    if (v !== undefined) {
      if (v.maxParallelism === s.maxParallelism || canRescaleMaxParallelism(v, s.maxParallelism)) {
        kept.set(s.operatorId, s);
      } else {
        findings.push(messages.maxParallelismMismatch(s.operatorId, s.maxParallelism, v.maxParallelism, v.name));
        return kept;
      }
    } else if (job.allowNonRestoredState) {
      findings.push(messages.skipped(s.operatorId));
    } else if (s.coordinatorState !== null || s.subtasks.some(hasState)) {
      findings.push(messages.nonRestored(pointer, s.operatorId));
      return kept;
    } else {
      findings.push(messages.skippedEmpty(s.operatorId));
    }
  }
  return kept;
}

/** Every stored state must belong to an operator of the job (unless allowNonRestoredState). */
export function validateMappingCompleteness(
  stored: Map<string, OperatorState>,
  job: JobGraph,
  findings: Finding[],
  unrestored: string[],
): void {
  const all = operatorLookup(job);
  for (const id of stored.keys()) {
    if (all.has(id)) continue;
    if (job.allowNonRestoredState) {
      findings.push(messages.skippedCheckpointState(id));
      unrestored.push(id);
    } else {
      findings.push(messages.noOperator(id));
    }
  }
}
