import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'fixtures', '.vitest']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const p = join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

/** Link targets of `[text](target)` that point at files (not web pages or anchors). */
function fileLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^(https?:|mailto:|#)/.test(t));
}

describe('READMEs work in any checkout', () => {
  const files = markdownFiles(root);
  it('finds the READMEs', () => {
    expect(files.map((f) => relative(root, f))).toContain('packages/state/README.md');
  });
  it.each(files.map((f) => [relative(root, f), f]))('%s names no absolute path of one machine and links relatively', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/(?:^|[\s`'"(:])\/(?:work|home|Users)\//m);
    for (const target of fileLinks(text)) {
      expect(target, `link ${target}`).not.toMatch(/^(?:\/|file:|[A-Za-z]:\\)/);
      const abs = resolve(dirname(file), target.replace(/#.*$/, ''));
      // links inside the repository must resolve; ones beside it (../shared/…) exist only where it is checked out
      if (!relative(root, abs).startsWith('..')) expect(existsSync(abs), `link ${target}`).toBe(true);
    }
  });
});
