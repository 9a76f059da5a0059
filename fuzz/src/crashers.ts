/**
 * Crashers: inputs on which a decoder threw something other than its typed error, allocated past
 * the memory ceiling or hung. Each is stored as `fuzz/crashers/<target>/<sha256-prefix>.bin` with
 * the first stack seen in `<same>.txt`; the regression tests replay every stored one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './seeds.js';
import { execute, type Outcome, type Target } from './targets.js';
import { withCeiling } from './alloc-guard.js';

export const CRASHERS_DIR = join(REPO_ROOT, 'fuzz/crashers');

export function crasherName(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const chain: string[] = [e.stack ?? `${e.name}: ${e.message}`];
    let c: unknown = e.cause;
    while (c !== undefined) {
      chain.push(`caused by: ${c instanceof Error ? (c.stack ?? c.message) : String(c)}`);
      c = c instanceof Error ? c.cause : undefined;
    }
    return chain.join('\n');
  }
  return String(e);
}

/**
 * What makes two crashes the same bug: the innermost error's class and message with the numbers
 * taken out, and the first stack frame. One input per signature is stored.
 */
export function signatureOf(why: string): string {
  const lines = why.split('\n');
  const heads = lines.filter((l) => !/^\s+at /.test(l));
  const last = heads[heads.length - 1] ?? '';
  const idx = lines.indexOf(last);
  const frame = lines.slice(idx + 1).find((l) => /^\s+at /.test(l)) ?? '';
  const clean = (s: string) => s.replace(/\d+/g, 'N').replace(/\(\/.*\//, '(').trim();
  return `${clean(last)} | ${clean(frame)}`;
}

const known = new Map<string, Set<string>>();
function signatures(target: string): Set<string> {
  let set = known.get(target);
  if (!set) {
    set = new Set(storedCrashers().filter((c) => c.target === target).map((c) => signatureOf(c.note.replace(/^signature: .*\n/, ''))));
    known.set(target, set);
  }
  return set;
}

/** Stores a crasher unless one with the same signature is stored; returns true when it is new. */
export function storeCrasher(target: string, bytes: Uint8Array, why: string): boolean {
  const sig = signatureOf(why);
  const sigs = signatures(target);
  if (sigs.has(sig)) return false;
  sigs.add(sig);
  const dir = join(CRASHERS_DIR, target);
  const name = crasherName(bytes);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.bin`), bytes);
  writeFileSync(join(dir, `${name}.txt`), `signature: ${sig}\n${why}\n`);
  return true;
}

export interface StoredCrasher {
  target: string;
  name: string;
  bytes: Uint8Array;
  note: string;
}

export function storedCrashers(): StoredCrasher[] {
  if (!existsSync(CRASHERS_DIR)) return [];
  return readdirSync(CRASHERS_DIR).flatMap((target) =>
    readdirSync(join(CRASHERS_DIR, target))
      .filter((f) => f.endsWith('.bin'))
      .sort()
      .map((f) => {
        const name = f.slice(0, -4);
        const notePath = join(CRASHERS_DIR, target, `${name}.txt`);
        return {
          target,
          name,
          bytes: new Uint8Array(readFileSync(join(CRASHERS_DIR, target, f))),
          note: existsSync(notePath) ? readFileSync(notePath, 'utf8') : '',
        };
      }),
  );
}

/** One input under the memory ceiling: the outcome, with a ceiling violation counted as a crash. */
export async function runGuarded(t: Target, bytes: Uint8Array): Promise<Outcome & { largestAllocation: number }> {
  const r = await withCeiling(bytes.length, () => execute(t, bytes));
  if (r.violation) return { kind: 'crash', error: r.violation, largestAllocation: r.largest };
  if (r.error !== undefined) return { kind: 'crash', error: r.error, largestAllocation: r.largest };
  return { ...r.value!, largestAllocation: r.largest };
}
