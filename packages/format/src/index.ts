export * from './model.js';
export { CkptError, FormatError, type ErrorContext, type FormatErrorCode } from './errors.js';
export { ByteReader } from './binary/reader.js';
export { ByteWriter } from './binary/writer.js';
export {
  decodeMetadata,
  encodeMetadata,
  METADATA_MAGIC,
  SUPPORTED_VERSIONS,
  type DecodeOptions,
} from './metadata.js';
export { DEFAULT_DIALECT, Tag, type Dialect } from './handles/tags.js';
export { DISTRIBUTION_MODES } from './handles/operator.js';
