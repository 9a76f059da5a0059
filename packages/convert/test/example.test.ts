import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the runnable example', () => {
  const example = new URL('../examples/every-format.mjs', import.meta.url).pathname;
  const dist = new URL('../dist/index.js', import.meta.url).pathname;
  it.skipIf(!existsSync(dist))('converts a savepoint to every format and back, byte-exactly', () => {
    const out = execFileSync(process.execPath, [example], { encoding: 'utf8' });
    expect(out).toMatch(/version 6, checkpoint 1, 4 operators/);
    for (const f of ['binary', 'json', 'msgpack', 'protobuf']) expect(out).toMatch(new RegExp(`${f} +\\d+ bytes, back to _metadata byte-exact: true`));
  });
});
