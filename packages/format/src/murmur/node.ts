import type { Murmur } from 'murmurhash3js-revisited';
import { nodeBuiltin } from '../binary/node-buffer.js';

interface NodeModuleApi {
  createRequire(url: string): (id: string) => unknown;
}

/**
 * murmurhash3js-revisited on Node: required rather than imported. It is CommonJS, and an ES
 * import of it costs ~6 MiB in every process (Node's CommonJS export detection), a tenth of what
 * the bounded streaming summary may use. Chosen by the `node` condition of `#murmur`.
 */
export const murmur = nodeBuiltin<NodeModuleApi>('node:module')!.createRequire(import.meta.url)('murmurhash3js-revisited') as Murmur;
