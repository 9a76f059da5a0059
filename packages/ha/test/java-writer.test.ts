import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJavaStream } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { writeJavaObjectStream } from '../src/java-writer.js';
import { toWriterGraph } from './support/java-graph.js';

/** Strings Flink's CompletedCheckpoint shares by reference (see toWriterGraph). */
const SHARED = {
  'org.apache.flink.runtime.checkpoint.CompletedCheckpoint': 'externalPointer',
  'org.apache.flink.runtime.state.filesystem.FsCompletedCheckpointStorageLocation': 'externalPointer',
};
const here = dirname(fileURLToPath(import.meta.url));
const haFiles = ['fixtures', 'restore-fixtures']
  .flatMap((d) => readdirSync(join(here, d), { recursive: true, encoding: 'utf8' }).map((f) => join(d, f)))
  .filter((f) => /(^|\/)completedCheckpoint[0-9a-f]+$/.test(f))
  .sort();

describe('writeJavaObjectStream', () => {
  it('finds the fixtures', () => expect(haFiles.length).toBeGreaterThanOrEqual(16));
  it.each(haFiles)('writes the bytes Flink wrote: %s', (f) => {
    const bytes = readFileSync(join(here, f));
    const root = readJavaStream(bytes, 0, '', { annotations: true, arrays: true, maxDepth: 100 }).root;
    expect(Buffer.from(writeJavaObjectStream(toWriterGraph(root, SHARED))).equals(bytes)).toBe(true);
  });
});
