import { readFileSync, readdirSync } from 'node:fs';
import { decodeMetadata } from '@ckpt/format';
import { it } from 'vitest';
import { writeJavaObjectStream } from '../src/java-writer.js';
import { buildCompletedCheckpoint } from '../src/checkpoint-builder.js';
import { readCompletedCheckpoint } from '../src/completed-checkpoint.js';
it('dbg', () => {
  const dir = process.env.D!;
  const haf = readdirSync(dir).find((f) => f.startsWith('completedCheckpoint'))!;
  const bytes = readFileSync(`${dir}/${haf}`);
  const stored = readCompletedCheckpoint(bytes, haf);
  const md = readFileSync(`${dir}/_metadata`);
  const metadata = decodeMetadata(md);
  const g = buildCompletedCheckpoint({ jobId: stored.jobId, metadata, metadataSize: md.length, externalPointer: stored.externalPointer!, line: process.env.L as any,
    overrides: { timestamp: BigInt(stored.timestamp), completionTimestamp: BigInt(stored.completionTimestamp), props: stored.properties! } });
  const w = Buffer.from(writeJavaObjectStream(g));
  let i = 0; while (i < w.length && w[i] === bytes[i]) i++;
  console.log('len', w.length, bytes.length, 'diff at', i);
  console.log('flink', JSON.stringify(bytes.subarray(Math.max(0,i-100), i+60).toString('latin1')));
  console.log('ours ', JSON.stringify(w.subarray(Math.max(0,i-100), i+60).toString('latin1')));
});
