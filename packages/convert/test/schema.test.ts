import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata, toJson } from '@ckpt/format';
import { corpusEntries, HAVE_CORPUS, readCorpusFile } from '../../format/test/support/corpus.js';
import { generatedFixtures } from '../../format/test/support/generated.js';
import { metadataArb } from '../../format/test/support/arbitraries.js';

const schemaUrl = new URL('../../../schemas/checkpoint.schema.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

function check(json: unknown, what: string): void {
  const ok = validate(json);
  expect(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

describe('schemas/checkpoint.schema.json (the JSON form)', () => {
  it('is what scripts/checkpoint-schema.mjs generates (compared in memory; the tracked file is never written)', () => {
    const generated = execFileSync(process.execPath, [new URL('../../../scripts/checkpoint-schema.mjs', import.meta.url).pathname, '--stdout'], { encoding: 'utf8' });
    expect(generated).toBe(readFileSync(schemaUrl, 'utf8'));
  });

  it.skipIf(!HAVE_CORPUS)('accepts every corpus file', () => {
    for (const e of corpusEntries()) check(toJson(decodeMetadata(readCorpusFile(e))), e.id);
  });

  it('accepts every fixture written by real Flink', () => {
    for (const f of generatedFixtures()) check(toJson(decodeMetadata(new Uint8Array(readFileSync(f.metadataFile)))), f.scenario);
  });

  it('accepts every generated model of every version', () => {
    fc.assert(
      fc.property(metadataArb(), ({ meta }) => {
        encodeMetadata(meta);
        check(JSON.parse(JSON.stringify(toJson(meta))), 'generated');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects JSON the encoder would refuse', () => {
    const meta = toJson(decodeMetadata(new Uint8Array(readFileSync(generatedFixtures()[0]!.metadataFile)))) as Record<string, unknown>;
    const bad = structuredClone(meta) as { operators: { operatorId: string; subtasks: unknown[] }[]; checkpointId: unknown };
    bad.operators[0]!.operatorId = 'nope';
    expect(validate(bad)).toBe(false);
    const bad2 = structuredClone(meta) as { checkpointId: unknown };
    bad2.checkpointId = 12;
    expect(validate(bad2)).toBe(false);
  });
});
