/**
 * Hostile names cannot make a copy write outside its target: a source listing with `..`, `.`,
 * absolute names, NUL and control characters, odd percent-encoding or Windows separators either
 * copies below the target under the same name or is refused with a typed InvalidUri error.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDriver } from '../src/drivers/memory.js';
import { childPath, copyTree, StorageError } from '../src/index.js';

const segment = fc.constantFrom('..', '.', '', 'a', 'b.bin', '%2e%2e', '%2E%2E%2F', '..%2f..', '..\\..', 'x\u0000y', 'C:', '\\', '...', 'é', 'tab\there', '%00');
const hostileName = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean()).map(([segs, abs]) => `${abs ? '/' : ''}${segs.join('/')}`);

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

let store = 0;

describe('copy targets are contained', () => {
  it('childPath accepts plain relative names and refuses every escape', () => {
    expect(childPath('dst', 'a/b.bin')).toBe('dst/a/b.bin');
    expect(childPath('dst/', '%2e%2e/x')).toBe('dst/%2e%2e/x'); // never decoded: a literal name
    for (const bad of ['../x', 'a/../../x', './x', '/etc/passwd', 'a//b', 'a\\..\\x', 'C:/x', 'x\u0000y', '']) {
      expect(() => childPath('dst', bad), bad).toThrow(StorageError);
    }
  });

  it('copyTree from a listing with hostile names writes only below the target (memory and disk)', async () => {
    const sandbox = await mkdtemp(join(tmpdir(), 'ckpt-paths-'));
    await fc.assert(
      fc.asyncProperty(hostileName, fc.uint8Array({ minLength: 1, maxLength: 64 }), async (name, bytes) => {
        const id = `paths-${store++}`;
        const src = new MemoryDriver(id);
        src.objects.set('src/ok.bin', Uint8Array.of(1, 2, 3));
        src.objects.set(`src/${name}`, bytes);
        let accepted = true;
        try {
          childPath('x', name);
        } catch {
          accepted = false;
        }
        for (const dst of [`memory://${id}/deep/er/dst`, `file://${sandbox}/${id}/deep/er/dst`]) {
          const result = await copyTree(`memory://${id}/src`, dst).then(
            () => undefined,
            (e: unknown) => e,
          );
          if (accepted) expect(result).toBeUndefined();
          else {
            expect(result).toBeInstanceOf(StorageError);
            // refused by the target check, or earlier: a name the source cannot read back ('a/') is NotFound
            expect(['InvalidUri', 'NotFound']).toContain((result as StorageError).code);
          }
        }
        // nothing outside the targets: memory keys, and files under the sandbox
        for (const k of src.objects.keys()) expect(k.startsWith('src/') || k.startsWith('deep/er/dst/'), k).toBe(true);
        for (const f of await walk(join(sandbox, id)).catch(() => [])) expect(f.startsWith(join(sandbox, id, 'deep/er/dst/')), f).toBe(true);
        if (accepted) {
          expect(src.objects.get(`deep/er/dst/${name}`)).toEqual(bytes);
          expect(new Uint8Array(await readFile(join(sandbox, id, 'deep/er/dst', name)))).toEqual(bytes);
        }
      }),
      { numRuns: 300 },
    );
  });
});
