export { run, buildProgram, type Io } from './program.js';
export { summarize, snapshotTypeLabel, type MetadataSummary, type OperatorSummary } from './summary.js';
export { inspect, renderSummary } from './commands/inspect.js';
export { convert } from './commands/convert.js';
export { writeAtomically } from './io.js';
