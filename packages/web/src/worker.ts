/**
 * The page's worker: everything that reads or computes — decoding, the streaming summary, plans,
 * Flink's verdict, state entries, diffs, conversions — runs here, through the packages, so the
 * page's main thread only draws. It keeps the opened checkpoints (slot a, and b to compare with).
 */
import { concatBytes, decodeMetadata, diffCheckpoints, forEachStreamHandle, requireOperator, sha256, summarizeMetadataStream, summaryReport, summaryReportOf, type CheckpointMetadata } from '@ckpt/format';
import { formatFromName, parseMetadata, serializeMetadata, sniffFormat, type MetadataFormat } from '@ckpt/convert';
import { assignStates, jobFromCheckpoint, normalizeJob, parseJobInput, restorePlan, type JobGraph } from '@ckpt/restore';
import { blobOpener, HandleResolver, operatorEntries, stateJsonLine, summarizeOperatorState, type FileLike } from '@ckpt/state';
import type { CheckAnswer, OpenAnswer, PickedFile, PlanAnswer, PlanVertex, Reply, Request, Slot } from './protocol.js';

interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<{ id: number; request: Request }>) => void) | null;
}
const scope = self as unknown as WorkerScope;

/** An opened checkpoint: its model (decoded after the summary is shown) and the resolver over its files. */
interface Opened {
  name: string;
  format: MetadataFormat;
  meta: Promise<CheckpointMetadata>;
  resolver: HandleResolver;
}
const slots = new Map<Slot, Opened>();

class ViewerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** The `_metadata` among the picked files (the shallowest), or the one file picked (an export). */
function metadataFile(files: PickedFile[]): PickedFile {
  const named = files.filter((f) => f.path.split('/').pop() === '_metadata');
  if (named.length > 0) return named.sort((x, y) => x.path.split('/').length - y.path.split('/').length || x.path.localeCompare(y.path))[0]!;
  if (files.length === 1) return files[0]!;
  throw new ViewerError('NoMetadata', `none of the ${files.length} picked files is a _metadata file`);
}

/** A File as the state readers see it: named by its path below what was picked. */
const fileLike = (f: PickedFile): FileLike => ({ name: f.path, webkitRelativePath: f.path, size: f.file.size, slice: (a, b) => f.file.slice(a, b) });

/** The file's chunks, kept in `keep` for the decode after the summary; `progress` hears the bytes read (every 100 ms). */
async function* chunksOf(file: File, keep: Uint8Array[], progress: (bytes: number) => void): AsyncIterable<Uint8Array> {
  const reader = (file.stream() as ReadableStream<Uint8Array>).getReader();
  let read = 0;
  let told = performance.now();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    keep.push(value);
    read += value.length;
    if (performance.now() - told > 100) {
      progress(read);
      told = performance.now();
    }
    yield value;
  }
}

/** Opens what was picked into `slot`; until it has succeeded, what the slot held stays. */
async function open(id: number, slot: Slot, files: PickedFile[]): Promise<OpenAnswer> {
  const mf = metadataFile(files);
  const head = new Uint8Array(await mf.file.slice(0, 64).arrayBuffer());
  const format = sniffFormat(head, formatFromName(mf.path));
  const resolver = new HandleResolver({ metadataDir: dirOf(mf.path), open: blobOpener(files.map(fileLike)) });
  let summary;
  let meta: Promise<CheckpointMetadata>;
  if (format === 'binary') {
    // the summary streams (shown first); the model is decoded from the same bytes after it
    const parts: Uint8Array[] = [];
    const s = await summarizeMetadataStream(
      chunksOf(mf.file, parts, (bytes) => scope.postMessage({ id, progress: bytes })),
      { file: mf.path },
    );
    const bytes = concatBytes(parts);
    const digest = await sha256(bytes);
    summary = summaryReport(s, { file: mf.path, byteLength: bytes.length, sha256: digest });
    meta = new Promise((resolve, reject) => setTimeout(() => {
      try {
        const m = decodeMetadata(bytes, { file: mf.path, digest: false });
        // the digest hashed for the summary (a browser has no synchronous SHA-256 for the decoder)
        m.input = { byteLength: bytes.length, sha256: digest, file: mf.path };
        resolve(m);
      } catch (e) {
        reject(e);
      }
    }));
  } else {
    const m = parseMetadata(new Uint8Array(await mf.file.arrayBuffer()), format, mf.path);
    summary = summaryReportOf(m);
    meta = Promise.resolve(m);
  }
  meta.catch(() => {}); // reported to whoever asks for the model
  slots.set(slot, { name: mf.path, format, meta, resolver });
  return { name: mf.path, format, summary, files: files.length - 1 };
}

function opened(slot: Slot): Opened {
  const o = slots.get(slot);
  if (!o) throw new ViewerError('NotOpen', slot === 'a' ? 'open a checkpoint first' : 'open a second checkpoint to compare with');
  return o;
}

async function plan(slot: Slot, parallelism: Record<string, number>): Promise<PlanAnswer> {
  const o = opened(slot);
  const meta = await o.meta;
  const job: JobGraph = normalizeJob(jobFromCheckpoint(meta.operators, (op) => parallelism[op.operatorId], { checkpointPointer: o.name }));
  const a = assignStates(meta, job);
  if (!a.ok) return { ok: false, error: a.error!, findings: a.findings };
  const p = restorePlan(meta, a);
  const byVertex = new Map<string, typeof p.subtasks>();
  for (const s of p.subtasks) {
    const list = byVertex.get(s.vertex);
    if (list) list.push(s);
    else byVertex.set(s.vertex, [s]);
  }
  const vertices: PlanVertex[] = [];
  for (const [vertex, subtasks] of byVertex) {
    const skew = p.skew[vertex];
    const kg = p.keyGroupBalance[vertex];
    const advice = p.advice.find((x) => x.vertex === vertex);
    const column = (f: (s: (typeof subtasks)[number]) => number) => Int32Array.from(subtasks, f);
    vertices.push({
      vertex,
      bytes: subtasks.reduce((n, s) => n + s.bytes, 0n).toString(),
      ...(skew === undefined ? {} : { skew }),
      ...(kg ? { keyGroupBalance: kg } : {}),
      ...(advice ? { advice } : {}),
      subtasks: {
        index: column((s) => s.index),
        keyGroupStart: column((s) => s.keyGroups.start),
        keyGroupCount: column((s) => s.keyGroups.count),
        handles: column((s) => s.handles),
        files: column((s) => new Set(s.operators.flatMap((o) => o.files.map((f) => f.file))).size),
        bytes: subtasks.map((s) => s.bytes.toString()),
      },
    });
  }
  return { ok: true, totalBytes: p.totalBytes.toString(), vertices };
}

async function check(slot: Slot, text: string, allowNonRestoredState: boolean): Promise<CheckAnswer> {
  const o = opened(slot);
  const meta = await o.meta;
  const desc = parseJobInput(text, { checkpointPointer: o.name, ...(allowNonRestoredState ? { allowNonRestoredState: true } : {}) });
  const a = assignStates(meta, normalizeJob(desc));
  return { ok: a.ok, error: a.error ?? null, findings: a.findings, unrestoredOperatorIds: a.unrestoredOperatorIds };
}

/** The entries read last, one JSON line each: the page's list fetches the rows in view. */
let entryLines: string[] = [];

/** Reads an operator's entries into {@link entryLines}, telling the page the count as it grows. */
async function entries(id: number, slot: Slot, operatorId: string, keyGroups?: [number, number]): Promise<{ count: number }> {
  const o = opened(slot);
  const meta = await o.meta;
  const op = requireOperator(meta.operators, operatorId, o.name);
  const lines: string[] = [];
  entryLines = lines;
  let told = performance.now();
  for await (const e of operatorEntries(op, o.resolver, keyGroups ? { keyGroups } : {})) {
    lines.push(stateJsonLine(e));
    if (performance.now() - told > 100) {
      scope.postMessage({ id, progress: lines.length });
      told = performance.now();
    }
  }
  return { count: lines.length };
}

/** Every file the handles of `meta` reference, as the resolver names it. */
function referencedFiles(o: Opened, meta: CheckpointMetadata): Set<string> {
  const files = new Set<string>();
  forEachStreamHandle(meta, (h) => {
    const uri = o.resolver.uriOf(h);
    if (uri !== undefined) files.add(uri);
  });
  return files;
}

async function diff() {
  const [a, b] = [opened('a'), opened('b')];
  const [ma, mb] = await Promise.all([a.meta, b.meta]);
  return diffCheckpoints({ uri: a.name, meta: ma, files: referencedFiles(a, ma) }, { uri: b.name, meta: mb, files: referencedFiles(b, mb) });
}

async function answer(id: number, r: Request): Promise<unknown> {
  switch (r.type) {
    case 'open':
      return open(id, r.slot, r.files);
    case 'plan':
      return plan(r.slot, r.parallelism);
    case 'check':
      return check(r.slot, r.job, r.allowNonRestoredState);
    case 'entries':
      return entries(id, r.slot, r.operatorId, r.keyGroups);
    case 'states': {
      const o = opened(r.slot);
      const meta = await o.meta;
      return summarizeOperatorState(requireOperator(meta.operators, r.operatorId, o.name), o.resolver);
    }
    case 'lines':
      return entryLines.slice(r.from, r.to);
    case 'diff':
      return diff();
    case 'convert':
      return serializeMetadata(await opened(r.slot).meta, r.format);
  }
}

scope.onmessage = (e) => {
  const { id, request } = e.data;
  answer(id, request).then(
    (result) => scope.postMessage({ id, ok: true, result }, result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []),
    (err: unknown) => {
      const x = err as { code?: unknown; message?: unknown; name?: unknown };
      scope.postMessage({ id, ok: false, error: { code: String(x.code ?? x.name ?? 'Error'), message: String(x.message ?? err) } });
    },
  );
};
