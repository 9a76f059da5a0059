import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJavaStream } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { HaError } from '../src/errors.js';
import { FlinkClasses } from '../src/flink-classes.js';
import { JavaHashMap } from '../src/java-collections.js';
import { writeJavaObjectStream, type WObject } from '../src/java-writer.js';
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

describe('writeJavaObjectStream errors', () => {
  it('reports a graph it cannot write as HaError InvalidModel, with the field path', () => {
    const classes = new FlinkClasses('2.3');
    const bad = new JavaHashMap().toObject(classes);
    bad.classData[0]!.values = [0.75, 2 ** 31];
    expect(() => writeJavaObjectStream(bad)).toThrow(HaError);
    expect(() => writeJavaObjectStream(bad)).toThrow(expect.objectContaining({ code: 'InvalidModel', path: 'threshold' }));
  });

  it('nests up to 200 levels, not more', () => {
    const classes = new FlinkClasses('2.3');
    const chain = (n: number): WObject => {
      let m = new JavaHashMap().toObject(classes);
      for (let i = 1; i < n; i++) {
        const outer = new JavaHashMap();
        outer.put('k', m, 0);
        m = outer.toObject(classes);
      }
      return m;
    };
    expect(readJavaStream(writeJavaObjectStream(chain(200)), 0, '', { annotations: true, maxDepth: 200 }).root).not.toBeNull();
    expect(() => writeJavaObjectStream(chain(201))).toThrow(HaError);
  });
});

describe('JavaHashMap', () => {
  const threshold = (m: JavaHashMap): unknown => {
    const root = readJavaStream(writeJavaObjectStream(m.toObject(new FlinkClasses('2.3'))), 0, '', { annotations: true }).root;
    return (root as { classData: { values: unknown[] }[] }).classData[0]!.values[1];
  };
  it('caps the table at 2^30 buckets as the JDK does (threshold then Integer.MAX_VALUE once filled)', () => {
    const m = JavaHashMap.withExpectedSize(805306369);
    expect(threshold(m)).toBe(2 ** 30);
    m.put('k', 'v', 1);
    expect(threshold(m)).toBe(0x7fffffff);
    expect(threshold(JavaHashMap.withExpectedSize(3))).toBe(4);
  });
});
