export { run, buildProgram, type Io } from './program.js';
// the summary ckpt inspect prints: @ckpt/format's report form of its summary, under the cli's names
export {
  summaryReportOf as summarize,
  snapshotTypeLabel,
  type MetadataSummaryReport as MetadataSummary,
  type OperatorSummaryReport as OperatorSummary,
} from '@ckpt/format';
export { inspect, renderSummary } from './commands/inspect.js';
export { convert } from './commands/convert.js';
export { writeAtomically } from './io.js';
