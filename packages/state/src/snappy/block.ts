
/**
 * A raw Snappy block codec (the data of a type-00 framing chunk). Two implementations ship:
 * hysnappy (wasm) and snappyjs (pure JS); {@link defaultBlockCodec} picks the faster one as
 * measured in `test/snappy-bench.test.ts`; callers may pass their own.
 */
export interface BlockCodec {
  readonly name: string;
  /**
   * Imports what the codec needs (the shipped codecs load their module on first use);
   * {@link SnappyFraming.create} awaits it. Codecs that need nothing leave it out.
   */
  load?(): Promise<void>;
  /** Decodes a raw block whose header says `length` uncompressed bytes. */
  uncompress(block: Uint8Array, length: number): Uint8Array;
  compress(data: Uint8Array): Uint8Array;
}

/** The uncompressed length stored as a varint at the start of a raw Snappy block, or -1. */
export function blockUncompressedLength(block: Uint8Array): number {
  let v = 0;
  for (let i = 0, shift = 0; i < 5 && i < block.length; i++, shift += 7) {
    const b = block[i]!;
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return v > 0xffffffff ? -1 : v;
  }
  return -1;
}

let hysnappy: typeof import('hysnappy') | undefined;
let snappyjs: typeof import('snappyjs') | undefined;
let hyDecode: ((input: Uint8Array, outputLength: number) => Uint8Array) | undefined;
let hyEncode: ((input: Uint8Array) => Uint8Array) | undefined;

/** A codec's module once loaded; before that a usage error. */
function loaded<M>(module: M | undefined, codec: string): M {
  if (module === undefined) throw new Error(`the ${codec} codec is not loaded: await its load() first (SnappyFraming.create does)`);
  return module;
}

export const hysnappyCodec: BlockCodec = {
  name: 'hysnappy',
  async load() {
    hysnappy ??= await import('hysnappy');
  },
  uncompress(block, length) {
    hyDecode ??= loaded(hysnappy, 'hysnappy').snappyUncompressor();
    return hyDecode(block, length);
  },
  compress(data) {
    hyEncode ??= loaded(hysnappy, 'hysnappy').snappyCompressor();
    return hyEncode(data);
  },
};

export const snappyjsCodec: BlockCodec = {
  name: 'snappyjs',
  async load() {
    snappyjs ??= await import('snappyjs');
  },
  uncompress(block, length) {
    return loaded(snappyjs, 'snappyjs').uncompress(block, length);
  },
  compress(data) {
    return loaded(snappyjs, 'snappyjs').compress(data);
  },
};

/** The codec used when none is passed. */
export function defaultBlockCodec(): BlockCodec {
  return hysnappyCodec;
}
