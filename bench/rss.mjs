// Peak RSS of one job on one `_metadata` file in a fresh process (run as a child by bench/).
//   node bench/rss.mjs FILE idle|decode|summary|cli-stream
//   → prints max RSS in KiB and the job's operator count
// cli-stream is `ckpt inspect --stream --json FILE` run in this process (the CLI's modules loaded).
import { createReadStream, readFileSync } from 'node:fs';
import { decodeMetadata, summarizeMetadataStream } from '../packages/format/dist/index.js';

const [file, mode] = process.argv.slice(2);
let operators = 0;
if (mode === 'decode') operators = decodeMetadata(new Uint8Array(readFileSync(file))).operators.length;
else if (mode === 'summary') operators = (await summarizeMetadataStream(createReadStream(file, { highWaterMark: 1 << 16 }))).operators.length;
else if (mode === 'cli-stream') {
  const { run } = await import('../packages/cli/dist/index.js');
  const out = [];
  const code = await run(['inspect', '--stream', '--json', file], { out: (s) => out.push(s), err: (s) => process.stderr.write(`${s}\n`) });
  if (code !== 0) throw new Error(`ckpt inspect --stream exited ${code}`);
  operators = JSON.parse(out.join('\n')).operators.length;
} else if (mode !== 'idle') throw new Error(`unknown mode ${mode}`);
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, operators }));
