export { RELEASES, TARGETS, BACKENDS, type Backend, LATEST, release, compareMinor, type Release, type MissingClass, type UnreadOperatorState } from './releases.js';
export { collectFacts, scanSnapshotClasses, type SnapshotFacts, type OperatorFacts, type StateFacts, type SerializerUse, type UnreadHeader, type CollectOptions, type Resolve } from './facts.js';
export { handleCodes, unknownHandleMessage, type HandleCode, type HandlePosition } from './handles.js';
export { inferWriters, type Writers } from './writers.js';
export { upgradeCheck, resolveTarget, operatorLabel, SEVERITIES, type Severity, type Finding, type OperatorRef, type UpgradeReport, type UpgradeCheckOptions, type Verdict } from './check.js';
export { renderUpgradeReport } from './render.js';
