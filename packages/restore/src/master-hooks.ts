import type { MasterState } from '@ckpt/format';
import { messages, type Finding } from './findings.js';
import type { JobGraph } from './job.js';

/**
 * Flink's master-hook restore (`MasterHooks.restoreMasterHooks`), after the state assignment:
 * stored master states are matched to the new job's hooks by identifier.
 */
export interface MasterHookRestore {
  /** Hook identifier. */
  hook: string;
  /** Whether the hook gets a stored state (else it is restored with `null`). */
  state: boolean;
}

/**
 * Hooks Flink calls (sorted by identifier), or an error finding for a state without hook. With no
 * stored master state or no registered hook Flink skips the step: nothing is called, and stored
 * states are ignored whatever allowNonRestoredState says.
 */
export function restoreMasterHooks(states: readonly MasterState[], job: JobGraph, findings: Finding[]): MasterHookRestore[] {
  if (states.length === 0) return [];
  if (job.masterHooks.length === 0) {
    findings.push(messages.ignoredMasterStates(states.map((s) => s.name)));
    return [];
  }
  const open = new Set(job.masterHooks);
  const matched = new Set<string>();
  for (const s of states) {
    if (open.delete(s.name)) matched.add(s.name);
    else if (job.allowNonRestoredState) findings.push(messages.skippedMasterState(s.name));
    else {
      findings.push(messages.unmatchedMasterState(s.name));
      return [];
    }
  }
  return [...job.masterHooks].sort().map((hook) => ({ hook, state: matched.has(hook) }));
}
