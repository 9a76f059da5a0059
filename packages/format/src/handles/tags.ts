/** Handle tag bytes shared by all metadata versions (one numbering, three reading contexts). */
export const Tag = {
  NULL: 0,
  BYTE_STREAM: 1,
  FILE: 2,
  KEY_GROUPS: 3,
  OPERATOR_STREAM: 4,
  INCREMENTAL: 5,
  RELATIVE_FILE: 6,
  SAVEPOINT_KEY_GROUPS: 7,
  CHANGELOG: 8,
  CHANGELOG_BYTES: 9,
  CHANGELOG_FILE: 10,
  INCREMENTAL_V2: 11,
  KEY_GROUPS_V2: 12,
  CHANGELOG_FILE_V2: 13,
  CHANGELOG_V2: 14,
  SEGMENT_FILE: 15,
  EMPTY_SEGMENT_FILE: 16,
  SEGMENT_OPERATOR_STREAM: 17,
} as const;

/**
 * Layout variants that older Flink releases wrote under the same tag or version number.
 * The decoder tries the current layout first and falls back to these (see `decodeMetadata`).
 */
export interface Dialect {
  /** Layout of changelog handles (tags 8, 9, 10). */
  changelog: 'release' | 'flink-1.15-dev' | 'flink-1.14';
  /** Whether V1-encoded channel-state handles start with the subtask index (Flink ≥ 1.12). */
  channelSubtaskIndex: boolean;
}

export const DEFAULT_DIALECT: Dialect = { changelog: 'release', channelSubtaskIndex: true };

/** What a decoder needs to know besides the bytes. */
export interface DecodeContext {
  version: number;
  dialect: Dialect;
  /** Which dialect dimensions the decoder has relied on so far (for layout detection). */
  touched: { [K in keyof Dialect]?: true };
}

/** What an encoder needs to know besides the model. */
export interface EncodeContext {
  version: number;
}
