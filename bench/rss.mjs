// Peak RSS of one job on one `_metadata` file in a fresh process (run as a child by bench/).
//   node bench/rss.mjs FILE idle|decode|summary   → prints max RSS in KiB and the job's result size
import { createReadStream, readFileSync } from 'node:fs';
import { decodeMetadata, summarizeMetadataStream } from '../packages/format/dist/index.js';

const [file, mode] = process.argv.slice(2);
let keep;
if (mode === 'decode') keep = decodeMetadata(new Uint8Array(readFileSync(file)));
else if (mode === 'summary') keep = await summarizeMetadataStream(createReadStream(file, { highWaterMark: 1 << 16 }));
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, operators: keep?.operators.length ?? 0 }));
