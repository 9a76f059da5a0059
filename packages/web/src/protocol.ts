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
  /** Lines `from`..`to` (exclusive) of the entries read last (they stay in the worker). */
  | { type: 'lines'; from: number; to: number }
  | { type: 'diff' }
  | { type: 'convert'; slot: Slot; format: MetadataFormat };

/** One new subtask of a plan as the page shows it (bytes as a decimal string). */
export interface PlanRow {
  index: number;
  keyGroupStart: number;
  keyGroupCount: number;
  handles: number;
  /** Distinct files the subtask reads. */
  files: number;
  bytes: string;
}

/** A vertex of a plan: its subtasks, skew, key-group balance and advice (`RestorePlan`, grouped). */
export interface PlanVertex {
  vertex: string;
  bytes: string;
  skew?: number;
  keyGroupBalance?: { min: number; max: number };
  advice?: RestorePlan['advice'][number];
  subtasks: PlanRow[];
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
