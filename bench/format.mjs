// _metadata decode/encode: ckpt against Flink 2.3.0's own loader/writer (conformance/ Bench.java,
// warmed up, same run, same machine, same bytes), plus peak memory of a full decode and of the
// streaming summary. Used by bench/run.mjs (`pnpm bench`); `node bench/format.mjs` runs it alone.
// Not a test: nothing here asserts times.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSyntheticParts } from './synthetic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'out');
const node = (args) => execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, cwd: root });
/** Node flag for the "tuned" ckpt column: a young generation big enough for a model being built. */
export const TUNED_NODE_FLAGS = ['--max-semi-space-size=64'];

const SYNTHETIC = [
  ['synthetic-s', { operators: 20, parallelism: 32, sharedFiles: 8 }],
  ['synthetic-m', { operators: 100, parallelism: 64, sharedFiles: 10 }],
  ['synthetic-l', { operators: 200, parallelism: 128, sharedFiles: 12 }],
  ['synthetic-xl', { operators: 200, parallelism: 256, sharedFiles: 20 }],
];

/** Writes the synthetic inputs (reused while the generator and spec are unchanged). */
export function syntheticInputs() {
  const generator = readFileSync(join(root, 'bench', 'synthetic.mjs'));
  return SYNTHETIC.map(([name, spec]) => {
    const dir = join(work, name);
    const stamp = createHash('sha256').update(generator).update(JSON.stringify(spec)).digest('hex');
    const stampFile = join(dir, 'stamp');
    if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
      node([join(root, 'bench', 'synthetic.mjs'), dir, String(spec.operators), String(spec.parallelism), String(spec.sharedFiles)]);
      writeFileSync(stampFile, stamp);
    }
    const handles = spec.operators * spec.parallelism * (spec.sharedFiles + 3 + 1);
    return { name, file: join(dir, '_metadata'), handles, synthetic: true };
  });
}

/** The largest real files at hand: the corpus (if present) and fixtures written by Flink. */
function realInputs() {
  const files = [];
  const corpus = process.env.CKPT_CORPUS ?? join(root, '..', '..', 'shared', 'fixtures', 'flink-corpus');
  const altCorpus = join(root, '..', 'shared', 'fixtures', 'flink-corpus');
  const dir = existsSync(corpus) ? corpus : existsSync(altCorpus) ? altCorpus : undefined;
  const version = (f) => {
    const b = readFileSync(f);
    return b.length >= 8 ? b.readInt32BE(4) : 0;
  };
  const bySize = (a, b) => statSync(b).size - statSync(a).size;
  if (dir) {
    const corpusFiles = readdirSync(dir)
      .map((id) => join(dir, id, '_metadata'))
      .filter((f) => existsSync(f) && version(f) >= 2)
      .sort(bySize)
      .slice(0, 2);
    for (const f of corpusFiles) files.push({ name: `corpus ${f.split('/').at(-2)}`, file: f });
  }
  const gen = join(root, 'fixtures', 'generated');
  const fixtures = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n === '_metadata') fixtures.push(p);
    }
  };
  if (existsSync(gen)) walk(gen);
  for (const f of fixtures.sort(bySize).slice(0, 2)) {
    files.push({ name: `fixture ${f.slice(gen.length + 1).split('/').slice(0, 2).join('/')}`, file: f });
  }
  return files;
}

function flinkTimes(files, rounds, warmup, javaOpts) {
  if (files.length === 0) return [];
  const out = execFileSync(join(root, 'conformance/run.sh'), ['2.3', 'bench', String(rounds), '--warmup', String(warmup), ...files], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, CKPT_CONFORMANCE_JAVA_OPTS: javaOpts },
  });
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

const ckptTimes = (file, rounds, warmup, flags) =>
  JSON.parse(node([...flags, join(root, 'bench', 'ckpt-time.mjs'), file, String(rounds), String(warmup)]).trim());
/**
 * Peak memory of one job in a fresh process (bench/rss.mjs), in MiB: `peak` is the process's max
 * RSS (with the pages of the `node` binary it touched), `private` the peak of its anonymous memory.
 */
const memory = (file, mode, extra = [], flags = []) => {
  const r = JSON.parse(node(['--max-old-space-size=8192', ...flags, join(root, 'bench', 'rss.mjs'), file, mode, ...extra]).trim().split('\n').at(-1));
  return { peakMiB: r.maxRssKiB / 1024, privateMiB: r.privatePeakKiB === null ? null : r.privatePeakKiB / 1024 };
};

/** Node flag that caps V8's young generation (it grows over a long run otherwise). */
export const SMALL_YOUNG_GEN = ['--max-semi-space-size=1'];

/** Writes head + record × n + trailer as one `_metadata` file, record by record. */
function writeRepeated(dir, n, file) {
  const { head, record, trailer } = readSyntheticParts(dir, n);
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(`${file}.tmp`, 'w');
  try {
    writeSync(fd, head);
    for (let i = 0; i < n; i++) writeSync(fd, record);
    writeSync(fd, trailer);
  } finally {
    closeSync(fd);
  }
  renameSync(`${file}.tmp`, file);
}

/**
 * Peak memory of the streaming summary over long streams: one synthetic operator record (256
 * subtasks × 24 handles, ~1 MB) repeated 5 and 1 100 times (5 MB and 1.1 GB). The library reads
 * them from memory, never on disk, with default Node flags and with the young generation capped;
 * `ckpt inspect --stream` reads the same bytes from a file.
 */
function generatedStreams() {
  const dir = join(work, 'synthetic-op');
  const generator = readFileSync(join(root, 'bench', 'synthetic.mjs'));
  const stamp = createHash('sha256').update(generator).digest('hex');
  const stampFile = join(dir, 'stamp');
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (!fresh) {
    rmSync(dir, { recursive: true, force: true });
    node([join(root, 'bench', 'synthetic.mjs'), '--parts', dir, '256', '20']);
  }
  const record = statSync(join(dir, 'record.bin')).size;
  const rows = [5, 1100].flatMap((n) => {
    const file = join(dir, `x${n}`, '_metadata');
    if (!existsSync(file)) writeRepeated(dir, n, file);
    const bytes = statSync(file).size;
    return [
      ...[[], SMALL_YOUNG_GEN].map((flags) => ({ operators: n, bytes, record, flags, job: 'library', ...memory(dir, 'summary-generated', [String(n)], flags) })),
      { operators: n, bytes, record, flags: [], job: 'cli', ...memory(file, 'cli-stream') },
    ];
  });
  writeFileSync(stampFile, stamp);
  return rows;
}

/**
 * Runs every format case; returns result rows. `rounds` for inputs of 1–50 MB, `bigRounds` above,
 * 1 000 rounds after 2 000 warm-up rounds below (both JITs need that many calls to settle).
 */
export function runFormat({ rounds = 12, bigRounds = 3, log = console.error } = {}) {
  const inputs = [...syntheticInputs(), ...realInputs()];
  // small files need many rounds to warm the JITs; big ones few (each takes seconds)
  const plan = (i) => {
    const size = statSync(i.file).size;
    if (size < 1 << 20) return { group: 'small', rounds: 1000, warmup: 2000, heap: '-Xmx2g' };
    if (size > 50 << 20) return { group: 'big', rounds: bigRounds, warmup: 1, heap: '-Xmx6g' };
    return { group: 'medium', rounds, warmup: 3, heap: '-Xmx2g' };
  };
  log(`format: Flink 2.3.0 timing ${inputs.length} inputs`);
  const flink = new Map();
  for (const group of ['small', 'medium', 'big']) {
    const members = inputs.filter((i) => plan(i).group === group);
    if (members.length === 0) continue;
    const p = plan(members[0]);
    for (const j of flinkTimes(members.map((i) => i.file), p.rounds, p.warmup, p.heap)) flink.set(j.file, j);
  }
  const idle = memory(inputs[0].file, 'idle');
  const results = [];
  for (const i of inputs) {
    log(`format: ckpt ${i.name}`);
    const { rounds: n, warmup } = plan(i);
    const plain = ckptTimes(i.file, n, warmup, ['--max-old-space-size=8192']);
    const tuned = ckptTimes(i.file, n, warmup, ['--max-old-space-size=8192', ...TUNED_NODE_FLAGS]);
    const f = flink.get(i.file) ?? null;
    const bytes = plain.bytes;
    const row = {
      input: i.name,
      bytes,
      handles: i.handles ?? null,
      rounds: n,
      warmupRounds: warmup,
      ckpt: plain,
      ckptTuned: tuned,
      flink: f,
      decodeMBps: bytes / 2 ** 20 / (plain.decodeMinMs / 1000),
      encodeMBps: bytes / 2 ** 20 / (plain.encodeMinMs / 1000),
      decodeHandlesPerSec: i.handles ? i.handles / (plain.decodeMinMs / 1000) : null,
      decodeVsFlink: f ? f.decodeMinMs / plain.decodeMinMs : null,
      encodeVsFlink: f ? f.encodeMinMs / plain.encodeMinMs : null,
      decodeVsFlinkTuned: f ? f.decodeMinMs / tuned.decodeMinMs : null,
      encodeVsFlinkTuned: f ? f.encodeMinMs / tuned.encodeMinMs : null,
    };
    if (i.synthetic) {
      row.memory = { idle, decode: memory(i.file, 'decode'), summary: memory(i.file, 'summary'), cliStream: memory(i.file, 'cli-stream') };
    }
    results.push(row);
  }
  log('format: streaming summary over generated streams');
  return { idle, results, generatedStreams: generatedStreams() };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  console.log(JSON.stringify(runFormat({ rounds: Number(process.env.BENCH_ROUNDS ?? 12) }), null, 2));
}
