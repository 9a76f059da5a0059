import { resolve as resolveLocal } from 'node:path';
import { StorageError } from './errors.js';

/**
 * A parsed storage location, following Flink's `Path` rules (storage-layout.md §6.2): scheme
 * only when a `:` precedes the first `/`; authority after `//`; no query or fragment (`?` and
 * `#` are part of the path); `\` → `/`; runs of `/` collapsed; one trailing `/` stripped.
 */
export interface StorageUri {
  /** Lower-case scheme; `file` for plain paths. */
  scheme: string;
  /** Authority (`bucket`, `host:port`, `container@account.host`), `''` when none. */
  authority: string;
  /** Absolute, normalised path starting with `/` (no trailing `/` except root). */
  path: string;
}

/** Normalises a path the way Flink `Path.normalizePath` and `URI.normalize` do. */
export function normalizePath(p: string): string {
  let s = p.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  if (!s.startsWith('/')) s = `/${s}`;
  const out: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Parses a URI or a plain path (plain/relative paths become absolute `file` paths). */
export function parseUri(input: string): StorageUri {
  if (typeof input !== 'string' || input.length === 0) {
    throw new StorageError('InvalidUri', 'empty path or URI', { uri: String(input) });
  }
  let s = input;
  if (/^[A-Za-z]:[\\/]/.test(s)) s = `/${s}`; // Windows drive
  const colon = s.indexOf(':');
  const slash = s.indexOf('/');
  if (colon > 0 && (slash === -1 || colon < slash)) {
    const scheme = s.slice(0, colon).toLowerCase();
    if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new StorageError('InvalidUri', `bad scheme '${scheme}'`, { uri: input });
    let rest = s.slice(colon + 1);
    let authority = '';
    if (rest.startsWith('//') && rest.length > 2) {
      const end = rest.indexOf('/', 2);
      authority = end === -1 ? rest.slice(2) : rest.slice(2, end);
      rest = end === -1 ? '/' : rest.slice(end);
    }
    return { scheme, authority, path: normalizePath(rest) };
  }
  return { scheme: 'file', authority: '', path: normalizePath(resolveLocal(s.replace(/\\/g, '/'))) };
}

/** Prints a URI (`file:/x` for local files, like Flink; `scheme://authority/path` otherwise). */
export function formatUri(u: StorageUri): string {
  if (u.authority === '') return `${u.scheme}:${u.path}`;
  return `${u.scheme}://${u.authority}${u.path}`;
}

/** The root of the file system holding `u`: `scheme://authority`. */
export function fsRootKey(u: StorageUri): string {
  return `${canonicalScheme(u.scheme)}://${u.authority}`;
}

/** `s3a`/`s3p` → `s3`, `abfss` → `abfs`, … (same objects; used for caching and comparison). */
export function canonicalScheme(scheme: string): string {
  if (scheme === 's3a' || scheme === 's3p') return 's3';
  if (scheme === 'webhdfs' || scheme === 'swebhdfs') return 'hdfs';
  return scheme;
}

/** Flink `Path(parent, child)`: a child with its own scheme replaces the parent. */
export function joinUri(parent: string, child: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(child) && !/^[A-Za-z]:[\\/]/.test(child)) return child;
  const p = parseUri(parent);
  return formatUri({ ...p, path: normalizePath(`${p.path}/${child}`) });
}

/** Parent directory URI (`undefined` at the root). */
export function parentUri(uri: string): string | undefined {
  const p = parseUri(uri);
  if (p.path === '/') return undefined;
  const i = p.path.lastIndexOf('/');
  return formatUri({ ...p, path: i <= 0 ? '/' : p.path.slice(0, i) });
}

/** Last path segment. */
export function baseName(uri: string): string {
  const p = parseUri(uri).path;
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Removes the first occurrence of an S3 entropy key from the path of `uri` (Flink
 * `EntropyInjector.removeEntropyMarkerIfPresent`; the doubled `/` left behind is collapsed).
 */
export function removeEntropyKey(uri: string, entropyKey: string | undefined): string {
  if (entropyKey === undefined || entropyKey === '') return uri;
  const p = parseUri(uri);
  const i = p.path.indexOf(entropyKey);
  if (i < 0) return uri;
  return formatUri({ ...p, path: normalizePath(p.path.slice(0, i) + p.path.slice(i + entropyKey.length)) });
}

/** Key of `path` relative to `base` (both normalised absolute paths), `''` for the base itself. */
export function relativeKey(base: string, path: string): string {
  if (base === '/') return path.slice(1);
  if (path === base) return '';
  if (path.startsWith(`${base}/`)) return path.slice(base.length + 1);
  throw new StorageError('InvalidUri', `'${path}' is not under '${base}'`);
}

/**
 * `dir/rel` for a relative name taken from a listing or a file (a copy's or relocation's target
 * path). Refuses a name that could land outside `dir` or somewhere else than it says: `..` or `.`
 * segments, an absolute name, empty segments, Windows separators or drive letters, NUL and other
 * control characters. Names are never percent-decoded, so `%2e%2e` stays a literal file name.
 */
export function childPath(dir: string, rel: string): string {
  const refuse = (why: string) => new StorageError('InvalidUri', `'${rel.replace(/[\x00-\x1f]/g, '?')}' ${why}; refusing to write it below '${dir}'`, { uri: rel });
  if (rel === '') throw refuse('is empty');
  if (/[\x00-\x1f\x7f]/.test(rel)) throw refuse('holds a control character');
  if (rel.includes('\\')) throw refuse('holds a Windows path separator');
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) throw refuse('is absolute');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw refuse(`has a '${seg}' segment`);
  }
  return `${dir.replace(/\/+$/, '')}/${rel}`;
}

/**
 * The local path a `file:` URI (`file:/x`, `file:///x`, percent escapes decoded) or a plain path
 * names; `undefined` for every other scheme. The one way from a `file:` URI to a path.
 */
export function localPathOf(uri: string): string | undefined {
  const u = parseUri(uri);
  if (u.scheme !== 'file') return undefined;
  try {
    return decodeURIComponent(u.path);
  } catch {
    return u.path;
  }
}

/** `file:/abs/path` (Flink's form) of a local path, relative ones resolved; URIs come back normalised. */
export function fileUriOf(pathOrUri: string): string {
  return formatUri(parseUri(pathOrUri));
}
