// Times ckpt's decode and encode of one `_metadata` file in this process (run as a child by
// bench/format.mjs, so the Node flags of the run are explicit). Like conformance/ Bench.java, each
// round decodes the file and encodes the model it just decoded. Prints one JSON line.
//   node [node flags] bench/ckpt-time.mjs FILE ROUNDS [WARMUP=3]
import { readFileSync } from 'node:fs';
import { decodeMetadata, encodeMetadata } from '../packages/format/dist/bundle/index.js';
import { elapsedMs, summary } from './timing.mjs';

const [file, roundsArg, warmupArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const warmup = Number(warmupArg ?? 3);
const bytes = new Uint8Array(readFileSync(file));

const decode = [];
const encode = [];
for (let r = -warmup; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  const meta = decodeMetadata(bytes);
  const decodeMs = elapsedMs(t0);
  const t1 = process.hrtime.bigint();
  const out = encodeMetadata(meta);
  const encodeMs = elapsedMs(t1);
  if (out.length !== bytes.length) throw new Error(`encode gave ${out.length} bytes, the file has ${bytes.length}`);
  if (r >= 0) {
    decode.push(decodeMs);
    encode.push(encodeMs);
  }
}
const dec = summary(decode);
const enc = summary(encode);
console.log(JSON.stringify({ file, bytes: bytes.length, decodeMinMs: dec.minMs, decodeMedianMs: dec.medianMs, encodeMinMs: enc.minMs, encodeMedianMs: enc.medianMs }));
