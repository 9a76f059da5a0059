import murmurhash from 'murmurhash3js-revisited';

/** murmurhash3js-revisited for bundlers and browsers (the `default` condition of `#murmur`). */
export const murmur = murmurhash;
