// `pnpm bench`: ckpt's _metadata decode/encode against Flink's own loader/writer (Flink 2.3.0
// through conformance/, warmed up, in the same run, same machine, same bytes), plus peak memory.
// Prints a table of ratios and writes bench/results.json. Not a test: nothing here asserts times.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata, encodeMetadata } from '../packages/format/dist/index.js';
import { writeSynthetic } from './synthetic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'out');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function timeIt(fn, rounds) {
  for (let i = 0; i < Math.max(3, rounds); i++) fn();
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { min: ms[0], median: ms[Math.floor(ms.length / 2)] };
}

/** Peak RSS (MiB) of a fresh node process that only decodes the file, minus an idle one. */
function decodeRssMiB(file) {
  const script = `import('${join(root, 'packages/format/dist/index.js')}').then(m => { const fs = require('node:fs');` +
    ` const b = new Uint8Array(fs.readFileSync(process.argv[1])); if (process.argv[2] === 'decode') globalThis.keep = m.decodeMetadata(b);` +
    ` console.log(process.resourceUsage().maxRSS); })`;
  const run = (mode) => Number(execFileSync(process.execPath, ['-e', script, file, mode], { encoding: 'utf8' }).trim()) / 1024;
  return Math.max(0, run('decode') - run('read'));
}

const inputs = [];
for (const [name, spec] of [
  ['synthetic-s', { operators: 20, parallelism: 32, sharedFiles: 8 }],
  ['synthetic-m', { operators: 100, parallelism: 64, sharedFiles: 10 }],
  ['synthetic-l', { operators: 200, parallelism: 128, sharedFiles: 12 }],
]) {
  const r = writeSynthetic(join(work, name), spec);
  inputs.push({ name, file: r.file, handles: r.handles });
}
// the largest real files at hand: corpus (if present) and fixtures written by Flink
const corpus = process.env.CKPT_CORPUS ?? join(root, '..', 'shared', 'fixtures', 'flink-corpus');
const real = [];
if (existsSync(corpus)) {
  for (const id of readdirSync(corpus)) {
    const f = join(corpus, id, '_metadata');
    if (existsSync(f)) real.push(f);
  }
}
const version = (f) => new DataView(readFileSync(f).buffer).getInt32(4);
const readable = real.filter((f) => version(f) >= 2).sort((a, b) => statSync(b).size - statSync(a).size).slice(0, 3);
for (const f of readable) inputs.push({ name: `corpus ${f.split('/').slice(-2, -1)[0]}`, file: f, handles: undefined });

const flink = new Map();
const out = execFileSync(join(root, 'conformance/run.sh'), ['2.3', 'bench', String(ROUNDS), ...inputs.map((i) => i.file)], {
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
for (const line of out.split('\n').filter(Boolean)) {
  const j = JSON.parse(line);
  flink.set(j.file, j);
}

const results = [];
for (const i of inputs) {
  const bytes = new Uint8Array(readFileSync(i.file));
  const meta = decodeMetadata(bytes);
  const dec = timeIt(() => decodeMetadata(bytes), ROUNDS);
  const enc = timeIt(() => encodeMetadata(meta), ROUNDS);
  const f = flink.get(i.file);
  const mb = bytes.length / 2 ** 20;
  results.push({
    input: i.name,
    bytes: bytes.length,
    handles: i.handles,
    ckpt: { decodeMinMs: dec.min, decodeMedianMs: dec.median, encodeMinMs: enc.min, encodeMedianMs: enc.median },
    flink: f ? { decodeMinMs: f.decodeMinMs, decodeMedianMs: f.decodeMedianMs, encodeMinMs: f.encodeMinMs, encodeMedianMs: f.encodeMedianMs } : null,
    decodeMBps: mb / (dec.min / 1000),
    decodeSpeedupVsFlink: f ? f.decodeMinMs / dec.min : null,
    encodeSpeedupVsFlink: f ? f.encodeMinMs / enc.min : null,
    decodeRssMiB: bytes.length > 1 << 20 ? decodeRssMiB(i.file) : null,
  });
}

const pad = (s, n) => String(s).padStart(n);
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; Flink 2.3.0 on Java ${process.env.JAVA_VERSION ?? '17'}; min of ${ROUNDS} warmed rounds`);
console.log(['input', 'MiB', 'ckpt dec ms', 'Flink dec ms', 'dec ×Flink', 'ckpt enc ms', 'Flink enc ms', 'enc ×Flink', 'dec MB/s', 'RSS MiB'].map((h, k) => (k ? pad(h, 12) : h.padEnd(16))).join(''));
for (const r of results) {
  console.log(
    [
      r.input.padEnd(16),
      pad((r.bytes / 2 ** 20).toFixed(2), 12),
      pad(r.ckpt.decodeMinMs.toFixed(2), 12),
      pad(r.flink?.decodeMinMs.toFixed(2) ?? '-', 12),
      pad(r.decodeSpeedupVsFlink?.toFixed(2) ?? '-', 12),
      pad(r.ckpt.encodeMinMs.toFixed(2), 12),
      pad(r.flink?.encodeMinMs.toFixed(2) ?? '-', 12),
      pad(r.encodeSpeedupVsFlink?.toFixed(2) ?? '-', 12),
      pad(r.decodeMBps.toFixed(0), 12),
      pad(r.decodeRssMiB?.toFixed(0) ?? '-', 12),
    ].join(''),
  );
}
console.log('×Flink = Flink time / ckpt time (above 1: ckpt is faster)');
writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, results }, null, 2) + '\n');
