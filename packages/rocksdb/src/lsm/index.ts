export { LsmView, groupByColumnFamily, type KeyValue, type KeyRange, type LsmViewOptions } from './view.js';
export { PackedPairs } from './packed-pairs.js';
export { MergingIterator } from './merging-iterator.js';
export { TombstoneMap } from './range-tombstones.js';
export { stringAppend, mergeFunctionFor, type MergeFunction } from './merge-operators.js';
