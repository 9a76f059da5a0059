import { readCheckpointProperties, type CheckpointMetadata } from '@ckpt/format';

/** Recomputes what the model derives from other fields (the trailer's `view`), in place. */
export function withDerivedFields(meta: CheckpointMetadata): CheckpointMetadata {
  if (meta.properties) meta.properties = { raw: meta.properties.raw, view: readCheckpointProperties(meta.properties.raw) };
  return meta;
}

/** The model without what is derived or describes the input (not part of the encoding). */
export function essentials(meta: CheckpointMetadata): CheckpointMetadata {
  const { input: _input, properties, ...rest } = meta;
  return properties ? ({ ...rest, properties: { raw: properties.raw } } as CheckpointMetadata) : rest;
}
