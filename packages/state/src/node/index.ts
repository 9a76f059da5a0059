/**
 * @ckpt/state/node — the Node-only side of `@ckpt/state`: state files read from any storage URI
 * (through `@ckpt/storage`), and re-keying, which writes files. The read side (`@ckpt/state`)
 * stays free of `node:` modules and runs in a browser.
 */
export { storageOpener, storageResolver, loadCheckpointState, type CheckpointState } from './checkpoint.js';
export { rekeySavepoint, assembleRekey, type RekeyOptions, type RekeyResult, type RekeyedOperator } from './rekey.js';
export { SHARD_MANIFEST, type ShardManifest } from './rekey-shards.js';
export { spillEntries, DEFAULT_SPILL_MEMORY, type SpillOptions } from './spill-entries.js';
