import type { CheckpointMetadata } from '@ckpt/format';
import { assignStates, restorePlan, type Finding, type JobGraph, type RestorePlan } from '@ckpt/restore';
import { collectFileReferences } from '@ckpt/storage';
import type { UpgradeReport } from '@ckpt/upgrade';
import { summaryReportOf as summarize, type MetadataSummaryReport as MetadataSummary, type OperatorSummaryReport as OperatorSummary } from '@ckpt/format';

/** Everything the HTML report shows, computed by the library functions `inspect`, `plan` and `check` use. */
export interface ReportModel {
  /** The `_metadata` the report is about (URI). */
  source: string;
  summary: MetadataSummary;
  /** Distinct files `_metadata` references. */
  filesReferenced: number;
  /** Which new job the plan and verdict are for, in words. */
  target: string;
  verdict: { ok: boolean; error?: Finding; findings: Finding[] };
  /** The restore plan; absent when Flink would refuse the restore. */
  plan?: RestorePlan;
  /** `ckpt upgrade-check` findings for the report's target release. */
  upgrade?: UpgradeReport;
}

/** State kinds the report groups sizes into. */
export const REPORT_KINDS = ['keyed', 'operator', 'channel', 'coordinator', 'other'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** An operator's bytes per report kind, from its summary (keyed = managed + raw keyed, …, other = legacy). */
export function bytesByKind(o: OperatorSummary): Record<ReportKind, bigint> {
  const z = o.stateSize;
  return {
    keyed: BigInt(z.managedKeyed) + BigInt(z.rawKeyed),
    operator: BigInt(z.managedOperator) + BigInt(z.rawOperator),
    channel: BigInt(z.inputChannel) + BigInt(z.resultSubpartition),
    coordinator: BigInt(o.coordinatorStateBytes),
    other: BigInt(z.legacy),
  };
}

/** Builds the report model of a loaded checkpoint for a new job (see `restore-job.ts`). */
export function buildReport(meta: CheckpointMetadata, loaded: { metadataUri: string; directory: string }, job: JobGraph, target: string): ReportModel {
  const a = assignStates(meta, job);
  const verdict: ReportModel['verdict'] = { ok: a.ok, findings: a.findings };
  if (a.error !== undefined) verdict.error = a.error;
  const model: ReportModel = {
    source: loaded.metadataUri,
    summary: summarize(meta),
    filesReferenced: collectFileReferences(meta, loaded.directory).length,
    target,
    verdict,
  };
  if (a.ok) model.plan = restorePlan(meta, a);
  return model;
}
