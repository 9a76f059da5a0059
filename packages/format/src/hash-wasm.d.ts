/** hash-wasm's ES module build (the package has no exports map; its `main` is the UMD build, CommonJS to Node). */
declare module 'hash-wasm/dist/index.esm.min.js' {
  export * from 'hash-wasm';
}
