import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata, encodeMetadata, operatorIdFromUid } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { ckpt } from './support/run.js';

// One operator lookup (findOperator of @ckpt/format) in every command that names an operator, and
// one exit code for a user's mistake in the arguments (README: 1 = usage or I/O error).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** V4: no uids stored; `keyed` is found by the id its uid hashes to. */
const V4 = join(root, 'fixtures/generated/1.20.3/keyed-hashmap-savepoint');
const V6 = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');
const KEYED_ID = operatorIdFromUid('keyed');
const tmp = mkdtempSync(join(tmpdir(), 'ckpt-lookup-'));
let n = 0;
const fresh = (name: string) => join(tmp, `${name}-${n++}`);

describe.skipIf(!existsSync(V4))('every command finds an operator by the id its uid hashes to (V4 stores no uids)', () => {
  it('the fixture stores no uid, only the hashed id', () => {
    const ops = decodeMetadata(new Uint8Array(readFileSync(join(V4, '_metadata')))).operators;
    expect(ops.some((o) => o.uid !== undefined)).toBe(false);
    expect(ops.map((o) => o.operatorId)).toContain(KEYED_ID);
  });

  it('dump-state', async () => {
    const r = await ckpt(['dump-state', V4, '--operator', 'keyed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('"state":"sum"')).length).toBeGreaterThan(0);
  });

  it('rekey', async () => {
    const out = fresh('rekey');
    const r = await ckpt(['rekey', V4, '--operator', 'keyed', '--max-parallelism', '64', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { operators: { operatorId: string; rekeyed: boolean; entries: number }[] };
    expect(res.operators).toEqual([expect.objectContaining({ operatorId: KEYED_ID, rekeyed: true, entries: 130 })]);
    const meta = decodeMetadata(new Uint8Array(readFileSync(join(out, '_metadata'))));
    expect(meta.operators.find((o) => o.operatorId === KEYED_ID)?.maxParallelism).toBe(64);
    expect(meta.operators.filter((o) => o.operatorId !== KEYED_ID).every((o) => o.maxParallelism === 128)).toBe(true);
  });

  it('modify', async () => {
    const out = fresh('modify');
    const r = await ckpt(['modify', V4, out, '--drop', 'keyed']);
    expect(r.code, r.stderr).toBe(0);
    const meta = decodeMetadata(new Uint8Array(readFileSync(join(out, '_metadata'))));
    expect(meta.operators.map((o) => o.operatorId)).not.toContain(KEYED_ID);
    expect(meta.operators.length).toBe(3);
  });

  it('plan --set', async () => {
    const keyedSubtasks = async (args: string[]) => {
      const r = await ckpt(['plan', V4, ...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout) as { subtasks: { vertex: string; keyGroups: { start: number; count: number } }[] };
      return plan.subtasks.filter((s) => s.vertex === KEYED_ID).map((s) => s.keyGroups);
    };
    expect((await keyedSubtasks([])).length).toBe(2);
    const three = [{ start: 0, count: 43 }, { start: 43, count: 43 }, { start: 86, count: 42 }];
    expect(await keyedSubtasks(['--set', 'keyed=3'])).toEqual(three);
    expect(await keyedSubtasks(['--set', `${KEYED_ID.toUpperCase()}=3`])).toEqual(three);
  });
});

describe.skipIf(!existsSync(V6))("a user's mistake in the arguments exits with 1 in every command", () => {
  const mistakes: Record<string, string[]> = {
    'dump-state: unknown operator': ['dump-state', V6, '--operator', 'nope'],
    'dump-state: bad range': ['dump-state', V6, '--operator', 'keyed', '--key-groups', '9-3'],
    'dump-state: range not a range': ['dump-state', V6, '--operator', 'keyed', '--key-groups', 'all'],
    'modify: unknown operator': ['modify', V6, join(tmp, 'never-m'), '--drop', 'nope'],
    'modify: bad pair': ['modify', V6, join(tmp, 'never-m'), '--remap', 'keyed'],
    'rekey: unknown operator': ['rekey', V6, '--operator', 'nope', '--max-parallelism', '64', '--out', join(tmp, 'never-r')],
    'rekey: bad max parallelism': ['rekey', V6, '--max-parallelism', '0', '--out', join(tmp, 'never-r')],
    'rekey: output is the input': ['rekey', V6, '--max-parallelism', '64', '--out', V6],
    'rekey: parallelism above the new max parallelism': ['rekey', V6, '--max-parallelism', '4', '--parallelism', '8', '--out', join(tmp, 'never-r')],
    'plan: unknown operator in --set': ['plan', V6, '--set', 'nope=3'],
    'check: bad --set': ['check', V6, '--set', 'keyed'],
    'check: bad --parallelism': ['check', V6, '--parallelism', 'x'],
    'report: unknown operator in --set': ['report', V6, '--set', 'nope=3', '--out', join(tmp, 'never.html')],
    'gc: bad --older-than': ['gc', V6, '--older-than', 'soon'],
    'convert: unknown format': ['convert', V6, join(tmp, 'never.out'), '--to', 'yaml'],
    'relocate: bad --prefix': ['relocate', V6, join(tmp, 'never-l'), '--prefix', 'x'],
    'inspect: unknown flag': ['inspect', V6, '--nope'],
  };
  for (const [what, args] of Object.entries(mistakes)) {
    it(what, async () => {
      const r = await ckpt(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^(ckpt: (UnknownOperator|BadArgument|Exists): |error: )/);
      expect(r.stdout).toBe('');
    });
  }

  it('an unknown operator is reported the same way by every command', async () => {
    const msgs = await Promise.all(
      [
        ['dump-state', V6, '--operator', 'nope'],
        ['modify', V6, join(tmp, 'never-m'), '--drop', 'nope'],
        ['rekey', V6, '--operator', 'nope', '--max-parallelism', '64', '--out', join(tmp, 'never-r')],
        ['plan', V6, '--set', 'nope=3'],
      ].map(async (a) => (await ckpt(a)).stderr),
    );
    for (const m of msgs) expect(m).toMatch(/^ckpt: UnknownOperator: no operator nope in .*; stored operators: .*keyed/);
    for (const p of ['never-m', 'never-r', 'never-l', 'never.html', 'never.out']) expect(existsSync(join(tmp, p))).toBe(false);
  });
});

describe.skipIf(!existsSync(V6))('dump-state says what raw state it skips', () => {
  /** The sample with raw keyed state on subtask 1 and raw operator state on subtask 0 of `keyed`. */
  function withRawState(): string {
    const dir = fresh('raw');
    cpSync(V6, dir, { recursive: true });
    const meta = decodeMetadata(new Uint8Array(readFileSync(join(V6, '_metadata'))));
    const keyed = meta.operators.find((o) => o.uid === 'keyed')!;
    const source = meta.operators.find((o) => o.subtasks.some((s) => s.managedOperatorState !== null))!;
    keyed.subtasks[1]!.rawKeyedState = keyed.subtasks[1]!.managedKeyedState;
    keyed.subtasks[0]!.rawOperatorState = source.subtasks.find((s) => s.managedOperatorState !== null)!.managedOperatorState;
    delete meta.input;
    writeFileSync(join(dir, '_metadata'), encodeMetadata(meta));
    return dir;
  }

  it('a note per kind on stderr; the entries are those of the managed state', async () => {
    const dir = withRawState();
    const plain = await ckpt(['dump-state', V6, '--operator', 'keyed']);
    expect(plain.stderr).toBe('');
    const r = await ckpt(['dump-state', dir, '--operator', 'keyed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr.split('\n')).toEqual([
      'note: raw keyed state of operator keyed (subtask 1) skipped: its layout is user code, ckpt does not decode it',
      'note: raw operator state of operator keyed (subtask 0) skipped: its layout is user code, ckpt does not decode it',
    ]);
  });

  it('with --key-groups only keyed state is asked for: only the raw keyed note', async () => {
    const r = await ckpt(['dump-state', withRawState(), '--operator', 'keyed', '--key-groups', '0-127']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('note: raw keyed state of operator keyed (subtask 1) skipped: its layout is user code, ckpt does not decode it');
  });

  it('--quiet drops the note', async () => {
    const r = await ckpt(['--quiet', 'dump-state', withRawState(), '--operator', 'keyed']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
