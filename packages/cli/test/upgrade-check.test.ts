import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (p: string) => join(root, 'fixtures/generated', p);
const KRYO = fixture('1.20.3/kryo-state-savepoint');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

interface Json {
  target: string;
  verdict: string;
  blocking: boolean;
  writers: { releases: string[] };
  findings: { severity: string; rule: string; state?: string; operator?: { operatorId: string }; flinkMessage?: string; action: string }[];
}

describe('ckpt upgrade-check', () => {
  it('exits 3 and names operator, state, serializer and what to do when the target fails', async () => {
    const io = capture();
    expect(await run(['upgrade-check', KRYO, '--to', '2.3'], io)).toBe(3);
    const text = io.stdout.join('\n');
    expect(io.stdout[0]).toBe('FAILS: Flink 2.3 would fail while restoring this snapshot.');
    expect(io.stdout[1]).toBe('written by: Flink 1.18–1.20 (_metadata V4, operator proxy 6)');
    expect(text).toMatch(/FAILS-WHILE-RESTORING \[kryo-collection\] operator \w{32}, state history, org\.apache\.flink\.api\.java\.typeutils\.runtime\.kryo\.KryoSerializerSnapshot/);
    expect(text).toMatch(/Flink: For heap backends, the new state serializer/);
    expect(text).toMatch(/do: Before upgrading, rewrite this state on 1\.x/);
  });

  it('--json gives the same findings; the writing release and warnings-only targets exit 0', async () => {
    const io = capture();
    expect(await run(['upgrade-check', KRYO, '--to', '2.x', '--json'], io)).toBe(3);
    const r = JSON.parse(io.stdout.join('\n')) as Json;
    expect(r).toMatchObject({ target: '2.3', verdict: 'fails-while-restoring', blocking: true, writers: { releases: ['1.18', '1.19', '1.20'] } });
    expect(r.findings.map((f) => [f.severity, f.rule, f.state])).toEqual([
      ['fails-while-restoring', 'kryo-collection', 'history'],
      ['warning', 'kryo-bytes', 'holder'],
    ]);
    expect(await run(['upgrade-check', KRYO, '--to', '1.20.3'], capture())).toBe(0);
    const ttl = capture();
    expect(await run(['upgrade-check', fixture('1.20.3/ttl-state-savepoint'), '--to', '2.0', '--json'], ttl)).toBe(0);
    expect((JSON.parse(ttl.stdout.join('\n')) as Json).verdict).toBe('warnings');
  });

  it('--ttl-toggle / --backend: the new job switching TTL fails before the release that allows it for its backend', async () => {
    const ttlFixture = fixture('1.20.3/ttl-state-savepoint');
    const heap21 = capture();
    expect(await run(['upgrade-check', ttlFixture, '--to', '2.1', '--ttl-toggle', '--backend', 'hashmap', '--json'], heap21)).toBe(3);
    const r = JSON.parse(heap21.stdout.join('\n')) as Json;
    expect(r.findings.filter((f) => f.rule === 'ttl-toggle').map((f) => [f.severity, f.state]).sort()).toEqual(
      ['byValue', 'max', 'sum', 'values'].map((s) => ['fails-while-restoring', s]),
    );
    expect(await run(['upgrade-check', ttlFixture, '--to', '2.1', '--ttl-toggle', '--backend', 'rocksdb'], capture())).toBe(0);
    expect(await run(['upgrade-check', ttlFixture, '--to', '2.2', '--ttl-toggle', 'sum,max', '--backend', 'hashmap'], capture())).toBe(0);
    const text = capture();
    expect(await run(['upgrade-check', fixture('1.20.3/keyed-hashmap-savepoint'), '--to', '2.0', '--ttl-toggle', 'sum', '--backend', 'hashmap'], text)).toBe(3);
    expect(text.stdout.join('\n')).toMatch(/Flink: For heap backends, the new state serializer \(org\.apache\.flink\.runtime\.state\.ttl\.TtlStateFactory\$TtlSerializer@…\)/);
    const bad = capture();
    expect(await run(['upgrade-check', ttlFixture, '--to', '2.3', '--ttl-toggle', 'nope'], bad)).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/no keyed state named "nope"/);
  });

  it('refuses a rollback with Flink\'s message, takes --latest, and rejects unknown targets with exit 1', async () => {
    const io = capture();
    expect(await run(['upgrade-check', fixture('2.3.0/keyed-hashmap-savepoint'), '--to', '1.20'], io)).toBe(3);
    expect(io.stdout.join('\n')).toMatch(/Flink: Unrecognized checkpoint version number: 6/);
    const latest = capture();
    expect(await run(['upgrade-check', fixture('1.20.3/unaligned-checkpoint'), '--latest', '--to', '2.3'], latest)).toBe(0);
    expect(latest.stdout.join('\n')).toMatch(/WARNING \[unaligned-checkpoint\]/);
    const bad = capture();
    expect(await run(['upgrade-check', KRYO, '--to', '1.14'], bad)).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/no upgrade rules for Flink "1.14"; targets: 1.15, .*2.3/);
  });
});
