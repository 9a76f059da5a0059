// Peak RSS of one job on one `_metadata` file in a fresh process (run as a child by bench/).
//   node bench/rss.mjs FILE idle|decode|summary|cli-stream
//   node bench/rss.mjs PARTS_DIR summary-generated OPERATORS
//   → prints max RSS in KiB, the job's operator count and the bytes it read
// cli-stream is `ckpt inspect --stream --json FILE` run in this process (the CLI's modules loaded);
// summary-generated summarizes a stream that is never on disk: the header of a synthetic checkpoint,
// its one operator record (PARTS_DIR from `bench/synthetic.mjs --parts`) repeated OPERATORS times
// in 64 KiB chunks, and the trailer — a file of any size, in memory for one record.
import { createReadStream, readFileSync } from 'node:fs';
import { decodeMetadata, summarizeMetadataStream } from '../packages/format/dist/index.js';
import { join } from 'node:path';

const [file, mode] = process.argv.slice(2);
let operators = 0;
let bytes = 0;
if (mode === 'decode') operators = decodeMetadata(new Uint8Array(readFileSync(file))).operators.length;
else if (mode === 'summary') operators = (await summarizeMetadataStream(createReadStream(file, { highWaterMark: 1 << 16 }))).operators.length;
else if (mode === 'cli-stream') {
  const { run } = await import('../packages/cli/dist/index.js');
  const out = [];
  const code = await run(['inspect', '--stream', '--json', file], { out: (s) => out.push(s), err: (s) => process.stderr.write(`${s}\n`) });
  if (code !== 0) throw new Error(`ckpt inspect --stream exited ${code}`);
  operators = JSON.parse(out.join('\n')).operators.length;
} else if (mode === 'summary-generated') {
  const n = Number(process.argv[4]);
  const [head, record, trailer] = ['head.bin', 'record.bin', 'trailer.bin'].map((f) => new Uint8Array(readFileSync(join(file, f))));
  new DataView(head.buffer, head.byteOffset).setInt32(20, n); // operator count
  const chunks = async function* () {
    const pieces = (b) => Array.from({ length: Math.ceil(b.length / 65536) }, (_, i) => b.subarray(i * 65536, (i + 1) * 65536));
    for (const c of [head, ...Array.from({ length: n }, () => record), trailer]) {
      for (const p of pieces(c)) {
        bytes += p.length;
        yield p;
      }
    }
  };
  const s = await summarizeMetadataStream(chunks());
  operators = s.operators.length;
  if (s.totals.subtasks !== n * 256) throw new Error(`summary counted ${s.totals.subtasks} subtasks`);
} else if (mode !== 'idle') throw new Error(`unknown mode ${mode}`);
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, operators, bytes }));
