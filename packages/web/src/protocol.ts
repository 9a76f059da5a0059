import type { CheckpointDiff, MetadataSummaryReport } from '@ckpt/format';
import type { MetadataFormat } from '@ckpt/convert';
import type { Finding, RestorePlan } from '@ckpt/restore';

/** Which opened checkpoint a request is about: the main one, or the one it is compared with. */
export type Slot = 'a' | 'b';

/** A picked or dropped file and its path below what was picked (`sp-1/_metadata`, or just its name). */
export interface PickedFile {
  path: string;
  file: File;
}

/** What the page asks the worker; every answer carries the request's id. */
export type Request =
  | { type: 'open'; slot: Slot; files: PickedFile[] }
  | { type: 'plan'; slot: Slot; parallelism: Record<string, number> }
  | { type: 'check'; slot: Slot; job: string; allowNonRestoredState: boolean }
  | { type: 'entries'; slot: Slot; operatorId: string; keyGroups?: [number, number] }
  /** Per state of an operator: kind, serializers, entries, bytes (`ckpt dump-state --summary`). */
  | { type: 'states'; slot: Slot; operatorId: string }
  /** Lines `from`..`to` (exclusive) of the entries read last (they stay in the worker). */
  | { type: 'lines'; from: number; to: number }
  | { type: 'diff' }
  | { type: 'convert'; slot: Slot; format: MetadataFormat };

/**
 * The new subtasks of one vertex as the page shows them, column by column (typed arrays: a plan
 * of a large job has 10⁵ rows, and columns cross to the page as a copy of their bytes).
 */
export interface PlanRows {
  index: Int32Array;
  keyGroupStart: Int32Array;
  keyGroupCount: Int32Array;
  handles: Int32Array;
  /** Distinct files each subtask reads. */
  files: Int32Array;
  /** Bytes each reads, decimal. */
  bytes: string[];
}

/** A vertex of a plan: its subtasks, skew, key-group balance and advice (`RestorePlan`, grouped). */
export interface PlanVertex {
  vertex: string;
  bytes: string;
  skew?: number;
  keyGroupBalance?: { min: number; max: number };
  advice?: RestorePlan['advice'][number];
  subtasks: PlanRows;
}

/**
 * A restore plan grouped by vertex, without the per-file detail (a plan of a large job names
 * millions of file reads; the page shows counts), or Flink's refusal.
 */
export type PlanAnswer = { ok: true; totalBytes: string; vertices: PlanVertex[] } | { ok: false; error: Finding; findings: Finding[] };

export interface CheckAnswer {
  ok: boolean;
  error: Finding | null;
  findings: Finding[];
  unrestoredOperatorIds: string[];
}

export interface OpenAnswer {
  /** Name of what was opened: the `_metadata` path in the picked folder, or the export's name. */
  name: string;
  format: MetadataFormat;
  summary: MetadataSummaryReport;
  /** Files picked alongside `_metadata` (state files). */
  files: number;
}

/** Messages from the worker. */
export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }
  | { id: number; progress: number };

export type { CheckpointDiff };
