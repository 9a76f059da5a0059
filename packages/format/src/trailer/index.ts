/**
 * The Java-serialized `CheckpointProperties` trailer of `_metadata` files (versions 4+).
 * @module
 */
export {
  DEFAULT_TEMPLATE,
  TEMPLATES_BY_RELEASE,
  TRAILER_CLASSES,
  readCheckpointProperties,
  checkpointPropertiesView,
  templateFrom,
  writeCheckpointProperties,
  type CheckpointPropertiesView,
  type ObservedFlinkRelease,
  type SnapshotTypeView,
  type TrailerTemplate,
} from './properties.js';
export * from './java-model.js';
export { readJavaStream, readJavaStreamPrefix } from './java-serialization.js';
export {
  writeJavaStream,
  type JavaStringObject,
  type JavaWriteAnnotation,
  type JavaWriteArray,
  type JavaWriteContent,
  type JavaWriteEnum,
  type JavaWriteObject,
  type JavaWriteOptions,
  type JavaWriteValue,
} from './java-writer.js';
