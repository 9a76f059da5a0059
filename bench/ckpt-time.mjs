// Times ckpt's decode and encode of one `_metadata` file in this process (run as a child by
// bench/format.mjs, so the Node flags of the run are explicit). Prints one JSON line.
//   node [node flags] bench/ckpt-time.mjs FILE ROUNDS [WARMUP=3]
import { readFileSync } from 'node:fs';
import { decodeMetadata, encodeMetadata } from '../packages/format/dist/index.js';
import { timeSync } from './timing.mjs';

const [file, roundsArg, warmupArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const warmup = Number(warmupArg ?? 3);
const bytes = new Uint8Array(readFileSync(file));

let meta = decodeMetadata(bytes);
const dec = timeSync(() => decodeMetadata(bytes), { rounds, warmup });
const enc = timeSync(() => encodeMetadata(meta), { rounds, warmup });
meta = undefined;
console.log(JSON.stringify({ file, bytes: bytes.length, decodeMinMs: dec.minMs, decodeMedianMs: dec.medianMs, encodeMinMs: enc.minMs, encodeMedianMs: enc.medianMs }));
