// The keyed job's snapshots that real Flink 2.3.0 writes into bench/out/ for keyed.mjs and
// convert.mjs (`conformance/run.sh 2.3 keyed-bench-savepoint DIR KEYS PER_KEY [VARIANT]`,
// KeyedBench.java), written once and again only when the generator, the variant or the size
// changes (a stamp file, written last, marks a complete snapshot).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'conformance', 'run.sh');

/**
 * An input written by real Flink 2.3.0 into bench/out/NAME unless it holds one from the same
 * generator, variant, size and directory. Returns the directory of its `_metadata`, the bytes of all its
 * files and the promised entry count.
 */
export function generated(name, variant, size, log = () => {}) {
  const dir = join(root, 'bench', 'out', name);
  const generator = readFileSync(join(root, 'conformance', 'src', 'main', 'java-2.3', 'dev', 'ckpt', 'conformance', 'KeyedBench.java'));
  const stamp = createHash('sha256').update(generator).update(JSON.stringify({ ...size, variant, dir })).digest('hex');
  // `dir` is in the stamp: a retained checkpoint names its shared files by absolute path, so a
  // checkout that moved writes its inputs anew
  const stampFile = join(dir, 'stamp');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log(`writing a ${size.keys} × ${size.perKey} ${variant} snapshot with Flink 2.3.0 into bench/out/${name} (once; up to a few minutes)`);
    const t0 = Date.now();
    // the generator empties `dir` first
    const args = ['2.3', 'keyed-bench-savepoint', dir, String(size.keys), String(size.perKey), ...(variant === 'heap' ? [] : [variant])];
    execFileSync(run, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(stampFile, stamp);
    log(`written in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return { dir: dirname(join(dir, manifest.metadataPath)), bytes: dirBytes(dir), expected: manifest.expected.keyedBench.entries };
}

/** Bytes of all files under `dir` (a checkpoint's shared/ and chk-N/ included). */
export function dirBytes(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, f) => n + (f.isDirectory() ? dirBytes(join(dir, f.name)) : statSync(join(dir, f.name)).size), 0);
}
