import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';
import { progressMode, startProgress, type ProgressStream } from '../src/progress.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLE = join(root, 'fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint');

/** A stderr stand-in: a terminal or not, recording what is written. */
function stream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns: 120, write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}

function io(progress: ProgressStream): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, progress, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

describe('progress output', () => {
  it('is a bar on a terminal, lines elsewhere, nothing when quiet', () => {
    expect(progressMode({ isTTY: true, write: () => true }, false)).toBe('bar');
    expect(progressMode({ isTTY: false, write: () => true }, false)).toBe('lines');
    expect(progressMode({ write: () => true }, false)).toBe('lines');
    expect(progressMode({ isTTY: true, write: () => true }, true)).toBe('none');
  });

  it('prints at most one plain line per tenth and always the last step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), (total) => {
        const s = stream(false);
        const t = startProgress(s, false, 'copy');
        for (let i = 1; i <= total; i++) t.update({ unit: 'files', done: i, total, bytes: 2 });
        t.end();
        const lines = s.text().trimEnd().split('\n');
        expect(lines.length).toBeLessThanOrEqual(Math.min(total, 11));
        expect(lines.at(-1)).toBe(`copy: ${total}/${total} files, ${2 * total} bytes`);
        expect(s.text()).not.toMatch(/\x1b/);
      }),
    );
  });

  it('draws a bar with cursor control on a terminal, ending at the total', () => {
    const s = stream(true);
    const t = startProgress(s, false, 'verify');
    for (let i = 1; i <= 4; i++) t.update({ unit: 'files', done: i, total: 4 });
    t.end();
    expect(s.text()).toMatch(/\x1b\[/);
    expect(s.text()).toMatch(/verify \[=+\] 4\/4 files/);
  });

  it('writes nothing when quiet', () => {
    const s = stream(true);
    const t = startProgress(s, true, 'verify');
    t.update({ unit: 'files', done: 1, total: 1 });
    t.end();
    expect(s.text()).toBe('');
  });
});

describe('commands with progress, --quiet and --json', () => {
  it('verify --digests: progress lines on a non-terminal, counting every file and byte; stdout untouched', async () => {
    const s = stream(false);
    const c = io(s);
    expect(await run(['verify', SAMPLE, '--digests', '--json'], c)).toBe(0);
    const report = JSON.parse(c.stdout.join('\n')) as { files: { size: number }[] };
    const bytes = report.files.reduce((n, f) => n + f.size, 0);
    expect(s.text().trimEnd().split('\n').at(-1)).toBe(`verify (digests): ${report.files.length}/${report.files.length} files, ${bytes} bytes`);
    expect(c.stdout.join('\n')).not.toMatch(/verify \(digests\)/);
  });

  it('verify on a terminal draws a bar on the progress stream only', async () => {
    const s = stream(true);
    const c = io(s);
    expect(await run(['verify', SAMPLE], c)).toBe(0);
    const n = Number(/files referenced: (\d+)/.exec(c.stdout.join('\n'))![1]);
    expect(s.text()).toMatch(new RegExp(`verify \\[=+\\] ${n}/${n} files`));
    expect(c.stdout.join('\n')).not.toMatch(/\x1b/);
  });

  it('--quiet (before or after the command) drops progress and informational lines, not results or errors', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-out-'));
    for (const args of [['-q', 'verify', SAMPLE, '--digests'], ['verify', SAMPLE, '--digests', '--quiet']]) {
      const s = stream(true);
      const c = io(s);
      expect(await run(args, c)).toBe(0);
      expect(s.text()).toBe('');
      expect(c.stdout[0]).toMatch(/^OK/);
    }
    const loud = io(stream(false));
    expect(await run(['convert', SAMPLE, join(tmp, 'a.json')], loud)).toBe(0);
    expect(loud.stderr).toEqual([expect.stringMatching(/^wrote .*a\.json \(json, \d+ bytes\)$/)]);
    const quiet = io(stream(false));
    expect(await run(['--quiet', 'convert', SAMPLE, join(tmp, 'b.json')], quiet)).toBe(0);
    expect(quiet.stderr).toEqual([]);
    expect(await run(['-q', 'inspect', join(tmp, 'missing')], quiet)).toBe(2);
    expect(quiet.stderr[0]).toMatch(/^ckpt: NotFound/);
  });

  it('relocate: copy and verify progress count the files it copied', async () => {
    const s = stream(false);
    const c = io(s);
    const dst = join(mkdtempSync(join(tmpdir(), 'ckpt-out-')), 'moved');
    expect(await run(['relocate', SAMPLE, dst, '--json'], c)).toBe(0);
    const r = JSON.parse(c.stdout.join('\n')) as { filesCopied: number };
    const lines = s.text().trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('relocate: copying: ')).at(-1)).toMatch(new RegExp(`^relocate: copying: ${r.filesCopied}/${r.filesCopied} files, \\d+ bytes$`));
    expect(lines.at(-1)).toMatch(/^relocate: verifying: (\d+)\/\1 files$/);
  });

  it('gc: progress over checkpoints read and files deleted', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-out-')), 'checkpoints');
    cpSync(SAMPLE, join(dir, 'savepoint-0a1b2c-3d4e5f6a7b8c'), { recursive: true });
    writeFileSync(join(dir, 'orphan-1'), 'x');
    writeFileSync(join(dir, 'orphan-2'), 'y');
    const s = stream(false);
    expect(await run(['gc', dir, '--delete'], io(s))).toBe(0);
    expect(s.text()).toMatch(/^gc: reading checkpoints: 1\/1 checkpoints$/m);
    expect(s.text()).toMatch(/^gc: deleting: 2\/2 files$/m);
    expect(readdirSync(dir)).toEqual(['savepoint-0a1b2c-3d4e5f6a7b8c']);
  });

  it('without a progress stream, plain progress lines go to the error output (never to stdout)', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    expect(await run(['verify', SAMPLE, '--json'], { out: (s) => stdout.push(s), err: (s) => stderr.push(s) })).toBe(0);
    const n = (JSON.parse(stdout.join('\n')) as { files: unknown[] }).files.length;
    expect(stderr.at(-1)).toBe(`verify: ${n}/${n} files`);
  });

  const bin = join(root, 'packages/cli/dist/bundle/bin.js');
  it.skipIf(!existsSync(bin))('the binary: stderr piped gets plain lines, --json stdout stays parseable, -q silences stderr', () => {
    const loud = spawnSync(process.execPath, [bin, 'verify', SAMPLE, '--digests', '--json'], { encoding: 'utf8' });
    expect(loud.status).toBe(0);
    expect((JSON.parse(loud.stdout) as { ok: boolean }).ok).toBe(true);
    expect(loud.stderr).toMatch(/^verify \(digests\): (\d+)\/\1 files, \d+ bytes$/m);
    expect(loud.stderr).not.toMatch(/\x1b/);
    const quiet = spawnSync(process.execPath, [bin, '-q', 'verify', SAMPLE, '--digests'], { encoding: 'utf8' });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(execFileSync(process.execPath, [bin, 'verify', SAMPLE, '--quiet'], { encoding: 'utf8' })).toMatch(/^OK: /);
  });
});
