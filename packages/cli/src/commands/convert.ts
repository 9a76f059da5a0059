import { decodeMetadata, encodeMetadata, fromJson, METADATA_MAGIC, toJsonString } from '@ckpt/format';
import { readBytes, resolveMetadataPath, writeAtomically } from '../io.js';

function isBinaryMetadata(b: Uint8Array): boolean {
  return b.length >= 4 && new DataView(b.buffer, b.byteOffset, 4).getInt32(0) === METADATA_MAGIC;
}

/**
 * `ckpt convert <in> <out>`: between binary `_metadata` and its JSON form. The input kind is
 * recognised by content; the output is JSON when its name ends in `.json`, binary otherwise.
 * The output is written atomically and never over the input.
 */
export async function convert(input: string, output: string, log: (s: string) => void): Promise<void> {
  const file = await resolveMetadataPath(input);
  const bytes = await readBytes(file);
  const meta = isBinaryMetadata(bytes)
    ? decodeMetadata(bytes, { file })
    : fromJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  const asJson = output.toLowerCase().endsWith('.json');
  const data = asJson ? toJsonString(meta) + '\n' : encodeMetadata(meta);
  await writeAtomically(output, data, [file]);
  log(`wrote ${output} (${asJson ? 'JSON' : `binary _metadata v${meta.version}`}, ${data.length} ${asJson ? 'chars' : 'bytes'})`);
}
