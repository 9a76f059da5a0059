import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { childPath, fileUriOf, localPathOf, Storages, type ByteStream, type Storage } from '@ckpt/storage';
import { UsageError } from '@ckpt/format';

/** Where a re-keyed savepoint is written: files by name, `_metadata` last, then {@link commit}. */
export interface RekeyOutput {
  /** The input directory as reported (a resolved local path, else its URI). */
  readonly source: string;
  /** The new savepoint directory as reported (a local path, else its URI). */
  readonly out: string;
  /** The URI a file of the new savepoint will have (for absolute handles). */
  uri(name: string): string;
  write(name: string, body: Uint8Array | ByteStream): Promise<void>;
  /** Publishes the new directory. */
  commit(): Promise<void>;
  /** Removes whatever was written. */
  abort(): Promise<void>;
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

const outsideInput = (out: string, src: string) => new UsageError('BadArgument', `the output ${out} must be outside the input ${src} (and not contain it)`);
const existing = (out: string) => new UsageError('Exists', `${out} exists; rekey writes a new directory`);

/**
 * The output of a re-keying into `out` (a local path or any storage URI) of the savepoint in
 * `srcDir` (a URI). Refuses an output inside the input (or containing it) and one that exists.
 */
export interface OpenOutputOptions {
  /**
   * On an object store (no rename there), an existing `out` whose files all pass this test is the
   * leftover of an attempt that did not finish: its files are deleted and the output written anew.
   */
  unfinished?: (name: string) => boolean;
}

export async function openOutput(srcDir: string, out: string, storages: Storages, opts: OpenOutputOptions = {}): Promise<RekeyOutput> {
  const localSrc = localPathOf(srcDir);
  const localOut = localPathOf(out);
  const source = localSrc === undefined ? srcDir : await realpath(localSrc);
  if (localOut !== undefined) return localOutput(source, localSrc !== undefined, localOut, storages);
  const outUri = fileUriOf(out);
  const [a, b] = [Storages.canonical(outUri), Storages.canonical(srcDir)];
  if (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) throw outsideInput(outUri, srcDir);
  const { storage, path } = await storages.locate(outUri);
  const left: string[] = [];
  for await (const e of storage.list(path, { recursive: true })) left.push(e.path);
  const prefix = `${path.replace(/\/+$/, '')}/`;
  if (left.length > 0 && opts.unfinished && left.every((k) => k.startsWith(prefix) && opts.unfinished!(k.slice(prefix.length)))) {
    for (const k of left) await storage.delete(k);
  } else if (left.length > 0 || (await storage.stat(path)) !== undefined) throw existing(outUri);
  return objectOutput(source, outUri, storage, path);
}

/** Into a temporary sibling directory, renamed to `out` at the end: readers see all or nothing. */
async function localOutput(source: string, srcIsLocal: boolean, wanted: string, storages: Storages): Promise<RekeyOutput> {
  const parent = await realpath(dirname(resolve(wanted))).catch(() => {
    throw new UsageError('BadArgument', `the parent directory of ${resolve(wanted)} does not exist`);
  });
  const out = join(parent, basename(wanted));
  if (srcIsLocal && (inside(out, source) || inside(source, out))) throw outsideInput(out, source);
  if (await exists(out)) throw existing(out);
  const tmp = join(parent, `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(tmp);
  const { storage, path } = await storages.locate(tmp);
  return {
    source,
    out,
    uri: (name) => fileUriOf(join(out, name)),
    write: (name, body) => storage.write(childPath(path, name), body),
    async commit() {
      if (await exists(out)) throw new UsageError('Exists', `${out} appeared while rekeying; not replacing it`);
      await rename(tmp, out);
    },
    abort: () => rm(tmp, { recursive: true, force: true }),
  };
}

/** Straight into `out` on an object store (no rename there): `_metadata`, written last, publishes it. */
function objectOutput(source: string, out: string, storage: Storage, path: string): RekeyOutput {
  const written: string[] = [];
  return {
    source,
    out,
    uri: (name) => `${out}/${name}`,
    async write(name, body) {
      const key = childPath(path, name);
      written.push(key);
      await storage.write(key, body);
    },
    commit: async () => undefined,
    async abort() {
      for (const k of written) await storage.delete(k).catch(() => undefined);
    },
  };
}
