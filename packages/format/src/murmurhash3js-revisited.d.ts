declare module 'murmurhash3js-revisited' {
  export interface Murmur {
    x86: {
      hash32(bytes: Uint8Array | number[], seed?: number): number;
      hash128(bytes: Uint8Array | number[], seed?: number): string;
    };
    x64: { hash128(bytes: Uint8Array | number[], seed?: number): string };
  }
  const murmur: Murmur;
  export default murmur;
}
