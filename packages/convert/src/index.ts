export { toProtobuf, fromProtobuf, checkpointProtoRoot } from './protobuf.js';
export { toMsgpack, fromMsgpack } from './msgpack.js';
export { CHECKPOINT_PROTO } from './checkpoint-proto.generated.js';
export {
  FORMATS,
  formatFromName,
  sniffFormat,
  parseMetadata,
  serializeMetadata,
  type MetadataFormat,
} from './formats.js';
