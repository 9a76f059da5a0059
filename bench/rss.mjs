// Peak RSS of one job on one `_metadata` file in a fresh process (run as a child by bench/).
//   node bench/rss.mjs FILE idle|decode|summary|cli-stream
//   node bench/rss.mjs PARTS_DIR summary-generated OPERATORS
//   → prints max RSS in KiB, the peak of private (anonymous) memory in KiB, the job's operator
//     count and the bytes it read
// Max RSS counts the pages of the `node` binary itself that the job touched (~34–40 MiB of code,
// file-backed, shared by every node process); private memory is what the process allocated.
// cli-stream is `ckpt inspect --stream --json FILE` as the `ckpt` command runs it (its own stdout,
// so with the tuning the CLI applies when it owns the process);
// summary-generated summarizes a stream that is never on disk: the header of a synthetic checkpoint,
// its one operator record (PARTS_DIR from `bench/synthetic.mjs --parts`) repeated OPERATORS times
// in 64 KiB chunks, and the trailer — a file of any size, in memory for one record.
import { createReadStream, readFileSync } from 'node:fs';
import { decodeMetadata, summarizeMetadataStream } from '../packages/format/dist/bundle/index.js';

const [file, mode] = process.argv.slice(2);
let operators = 0;
let bytes = 0;

/** Peak RssAnon seen (Linux /proc; null elsewhere): sampled on a timer and by the generated stream. */
let privatePeakKiB = null;
const samplePrivate = () => {
  try {
    const kib = Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    if (Number.isFinite(kib)) privatePeakKiB = Math.max(privatePeakKiB ?? 0, kib);
  } catch {
    // not Linux
  }
};
samplePrivate();
setInterval(samplePrivate, 10).unref();
if (mode === 'decode') operators = decodeMetadata(new Uint8Array(readFileSync(file))).operators.length;
else if (mode === 'summary') operators = (await summarizeMetadataStream(createReadStream(file, { highWaterMark: 1 << 16 }))).operators.length;
else if (mode === 'cli-stream') {
  const { run } = await import('../packages/cli/dist/program.js');
  const out = [];
  const write = process.stdout.write;
  process.stdout.write = (s) => out.push(String(s)) > 0;
  const code = await run(['inspect', '--stream', '--json', file]).finally(() => (process.stdout.write = write));
  if (code !== 0) throw new Error(`ckpt inspect --stream exited ${code}`);
  operators = JSON.parse(out.join('')).operators.length;
} else if (mode === 'summary-generated') {
  const n = Number(process.argv[4]);
  const { readSyntheticParts } = await import('./synthetic.mjs'); // only here: other modes measure no more than they use
  const { head, record, trailer } = readSyntheticParts(file, n);
  // each 64 KiB view is made when it is handed out, as a file stream makes its chunks (views made
  // ahead would live across young-generation collections and be promoted: the generator's garbage)
  const chunks = async function* () {
    for (let k = -1; k <= n; k++) {
      const c = k < 0 ? head : k < n ? record : trailer;
      for (let at = 0; at < c.length; at += 65536) {
        const p = c.subarray(at, at + 65536);
        bytes += p.length;
        if ((bytes & 0xfffff) === 0) samplePrivate();
        yield p;
      }
    }
  };
  const s = await summarizeMetadataStream(chunks());
  operators = s.operators.length;
  if (s.totals.subtasks !== n * 256) throw new Error(`summary counted ${s.totals.subtasks} subtasks`);
} else if (mode !== 'idle') throw new Error(`unknown mode ${mode}`);
samplePrivate();
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, privatePeakKiB, operators, bytes }));
