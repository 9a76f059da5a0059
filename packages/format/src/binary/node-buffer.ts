/**
 * The parts of Node's `Buffer` the codec uses when it runs in Node, found through `globalThis`
 * without importing anything, so that the package still loads in browsers (where it is absent and
 * every user falls back to plain JavaScript).
 */
interface NodeBufferApi {
  /** A Buffer over `length` bytes of `b` at `offset` (no copy). */
  from(b: ArrayBufferLike, offset: number, length: number): { latin1Slice(start: number, end: number): string };
  /** `n` bytes, not zero-filled, not from the shared pool. */
  allocUnsafeSlow(n: number): Uint8Array;
  /** Native UTF-8 writer; also accepts a plain Uint8Array as `this`. */
  prototype: { utf8Write(this: Uint8Array, s: string, at: number, max: number): number };
}

export const NodeBuffer = (globalThis as unknown as { Buffer?: NodeBufferApi }).Buffer;

/** A Node built-in module (`node:crypto`, `node:module` …) without importing it; `undefined` elsewhere. */
export function nodeBuiltin<T>(id: string): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return p?.getBuiltinModule?.(id) as T | undefined;
}
