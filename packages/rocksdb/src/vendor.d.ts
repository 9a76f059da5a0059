declare module 'snappyjs' {
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(input: Uint8Array): Uint8Array;
}

declare module 'lz4js' {
  /** Decodes a raw LZ4 block `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`; returns the end index. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  export function compressBound(n: number): number;
}

/** hash-wasm's ES module build (the package has no exports map; its `main` is the UMD build). */
declare module 'hash-wasm/dist/index.esm.min.js' {
  export * from 'hash-wasm';
}
