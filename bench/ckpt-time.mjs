// Times ckpt's decode and encode of one `_metadata` file in this process (run as a child by
// bench/format.mjs, so the Node flags of the run are explicit). Prints one JSON line.
//   node [node flags] bench/ckpt-time.mjs FILE ROUNDS [WARMUP=3]
import { readFileSync } from 'node:fs';
import { decodeMetadata, encodeMetadata } from '../packages/format/dist/index.js';

const [file, roundsArg, warmupArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const warmup = Number(warmupArg ?? 3);
const bytes = new Uint8Array(readFileSync(file));

function timeIt(fn) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { min: ms[0], median: ms[Math.floor(ms.length / 2)] };
}

let meta = decodeMetadata(bytes);
const dec = timeIt(() => decodeMetadata(bytes));
const enc = timeIt(() => encodeMetadata(meta));
meta = undefined;
console.log(JSON.stringify({ file, bytes: bytes.length, decodeMinMs: dec.min, decodeMedianMs: dec.median, encodeMinMs: enc.min, encodeMedianMs: enc.median }));
