/**
 * The Java-serialized `CheckpointProperties` trailer of `_metadata` files (versions 4+).
 * @module
 */
export {
  DEFAULT_TEMPLATE,
  TEMPLATES_BY_RELEASE,
  TEMPLATE_FLINK_1_16_TO_2_3,
  TRAILER_CLASSES,
  readCheckpointProperties,
  templateFrom,
  writeCheckpointProperties,
  writeJavaStream,
  type CheckpointPropertiesView,
  type ObservedFlinkRelease,
  type SnapshotTypeView,
  type TrailerTemplate,
} from './properties.js';
export {
  BASE_HANDLE,
  MAX_DEPTH,
  SC_ENUM,
  SC_EXTERNALIZABLE,
  SC_SERIALIZABLE,
  SC_WRITE_METHOD,
  STREAM_MAGIC,
  STREAM_VERSION,
  TC,
  getField,
  javaFieldOrder,
  readJavaStream,
  type JavaClassData,
  type JavaClassDesc,
  type JavaContent,
  type JavaEnum,
  type JavaFieldCode,
  type JavaFieldDesc,
  type JavaFieldValue,
  type JavaHandle,
  type JavaObject,
  type JavaPrimitiveCode,
  type JavaStream,
} from './java-serialization.js';
