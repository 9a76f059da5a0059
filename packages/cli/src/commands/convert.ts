import { UsageError } from '@ckpt/format';
import { formatFromName, parseMetadata, serializeMetadata, sniffFormat, FORMATS, type MetadataFormat } from '@ckpt/convert';
import { loadCheckpoint, localPathOf, readMetadataFile } from '@ckpt/storage';
import { isRemote, writeAtomically } from '../io.js';

export interface ConvertOptions {
  /** Output format; by default chosen from the output name (`.json`, `.msgpack`, `.pb`, else binary). */
  to?: string;
}

/**
 * `ckpt convert <in> <out>`: between binary `_metadata`, JSON, msgpack and protobuf. The input
 * format is recognised by content (and extension); the output is written atomically and never
 * over the input. Every conversion is byte-exact back to the original `_metadata`.
 */
export async function convert(input: string, output: string, opts: ConvertOptions, log: (s: string) => void): Promise<void> {
  // a remote input is a checkpoint pointer (binary _metadata, decoded once there); a local one may be any form
  const remote = isRemote(input) ? await loadCheckpoint(input) : undefined;
  const { resolved, bytes } = remote ?? (await readMetadataFile(input));
  // a local input is named by its path (in messages, and to refuse writing over it)
  const file = localPathOf(resolved.metadataUri) ?? resolved.metadataUri;
  const meta = remote?.metadata ?? parseMetadata(bytes, sniffFormat(bytes, formatFromName(file)), file);
  const to = (opts.to ?? formatFromName(output)) as MetadataFormat;
  if (!FORMATS.includes(to)) throw new UsageError('BadArgument', `unknown output format ${opts.to}; use one of ${FORMATS.join(', ')}`);
  const data = serializeMetadata(meta, to);
  if (isRemote(output)) {
    if (output.replace(/\/+$/, '') === file) throw new UsageError('Exists', `refusing to overwrite the input ${output}`);
    const { openStorage } = await import('@ckpt/storage');
    const slash = output.lastIndexOf('/');
    const storage = await openStorage(output.slice(0, slash + 1));
    await storage.write(output.slice(slash + 1), data); // single PUT / temp + rename: never partial
    await storage.close?.();
  } else {
    await writeAtomically(output, data, [file]);
  }
  log(`wrote ${output} (${to === 'binary' ? `binary _metadata v${meta.version}` : to}, ${data.length} bytes)`);
}
