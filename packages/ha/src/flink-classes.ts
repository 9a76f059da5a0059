/**
 * The class descriptors of the `CompletedCheckpoint` graph per Flink line, as the JVM writes them:
 * name, serialVersionUID, flags, serializable fields (Java's order: primitives, then objects, each
 * by name) and superclass.
 *
 * Where the UIDs come from: every class here declares `serialVersionUID` in Flink's source
 * (checked in the sources of 1.20.4, 2.0.2 and 2.3) or the JDK's, except `CheckpointType` and
 * `SavepointType`, whose UID the JVM computes from the class shape; those two are the values
 * Flink's own files carry (the `_metadata` trailers of 1.16 … 2.3 and the committed HA files,
 * see `@ckpt/format`'s trailer templates). The fields of the classes seen in the committed HA
 * files of each line were read back from those files; the others (savepoint key groups, master
 * states, finished operators and subtasks, savepoint types) from Flink's source of each line.
 *
 * What differs between the lines: `OperatorState` has `operatorName` / `operatorUid` from 2.0
 * on; `OperatorSubtaskState` has `upstreamOutputBufferState` from 2.3 on.
 */
import { DEFAULT_TEMPLATE, javaFieldOrder, SC_SERIALIZABLE, SC_WRITE_METHOD, type JavaClassDesc, type JavaFieldDesc } from '@ckpt/format';
import { HaError } from './errors.js';

/** The Flink lines whose `CompletedCheckpoint` class shapes ckpt writes. */
export const FLINK_LINES = ['1.20', '2.0', '2.3'] as const;
export type FlinkLine = (typeof FLINK_LINES)[number];

const RT = 'org.apache.flink.runtime.';
const CP = `${RT}checkpoint.`;
const ST = `${RT}state.`;

/** Fully qualified names used by the builder. */
export const CLS = {
  completedCheckpoint: `${CP}CompletedCheckpoint`,
  jobId: 'org.apache.flink.api.common.JobID',
  abstractId: 'org.apache.flink.util.AbstractID',
  operatorId: `${RT}jobgraph.OperatorID`,
  operatorState: `${CP}OperatorState`,
  fullyFinishedOperatorState: `${CP}FullyFinishedOperatorState`,
  operatorSubtaskState: `${CP}OperatorSubtaskState`,
  finishedOperatorSubtaskState: `${CP}FinishedOperatorSubtaskState`,
  stateObjectCollection: `${CP}StateObjectCollection`,
  masterState: `${CP}MasterState`,
  checkpointProperties: `${CP}CheckpointProperties`,
  checkpointType: `${CP}CheckpointType`,
  savepointType: `${CP}SavepointType`,
  sharingFilesStrategy: `${CP}SnapshotType$SharingFilesStrategy`,
  postCheckpointAction: `${CP}SavepointType$PostCheckpointAction`,
  savepointFormatType: 'org.apache.flink.core.execution.SavepointFormatType',
  noRescaling: `${CP}InflightDataRescalingDescriptor$NoRescalingDescriptor`,
  rescaling: `${CP}InflightDataRescalingDescriptor`,
  gateOrPartitionArray: `[L${CP}InflightDataRescalingDescriptor$InflightDataGateOrPartitionRescalingDescriptor;`,
  fsLocation: `${ST}filesystem.FsCompletedCheckpointStorageLocation`,
  fileStateHandle: `${ST}filesystem.FileStateHandle`,
  relativeFileStateHandle: `${ST}filesystem.RelativeFileStateHandle`,
  byteStreamStateHandle: `${ST}memory.ByteStreamStateHandle`,
  keyGroupsStateHandle: `${ST}KeyGroupsStateHandle`,
  keyGroupsSavepointStateHandle: `${ST}KeyGroupsSavepointStateHandle`,
  keyGroupRangeOffsets: `${ST}KeyGroupRangeOffsets`,
  keyGroupRange: `${ST}KeyGroupRange`,
  stateHandleId: `${ST}StateHandleID`,
  stringBasedId: 'org.apache.flink.util.StringBasedID',
  incremental: `${ST}IncrementalRemoteKeyedStateHandle`,
  abstractIncremental: `${ST}AbstractIncrementalStateHandle`,
  handleAndLocalPath: `${ST}IncrementalKeyedStateHandle$HandleAndLocalPath`,
  operatorStreamStateHandle: `${ST}OperatorStreamStateHandle`,
  stateMetaInfo: `${ST}OperatorStateHandle$StateMetaInfo`,
  mode: `${ST}OperatorStateHandle$Mode`,
  path: 'org.apache.flink.core.fs.Path',
  uri: 'java.net.URI',
  uuid: 'java.util.UUID',
  integer: 'java.lang.Integer',
  number: 'java.lang.Number',
  enum: 'java.lang.Enum',
  hashMap: 'java.util.HashMap',
  arrayList: 'java.util.ArrayList',
  emptyList: 'java.util.Collections$EmptyList',
  singletonSet: 'java.util.Collections$SingletonSet',
  bytes: '[B',
  longs: '[J',
} as const;

/** `Lname:Type` (object, `Type` a class name) / `[name:[J` (array, JVM signature) / `Jname` (primitive). */
type FieldSpec = string;
interface ClassSpec {
  suid: bigint;
  fields?: FieldSpec[];
  superClass?: string;
  flags?: number;
}

const S = SC_SERIALIZABLE;
/** Class descriptor flag of enums (`ObjectStreamConstants.SC_ENUM`). */
const SC_ENUM = 0x10;
const ENUM: ClassSpec = { suid: 0n, flags: S | SC_ENUM, superClass: CLS.enum };
const STRING = 'java.lang.String';
const STATE_COLLECTIONS = ['inputChannelState', 'managedKeyedState', 'managedOperatorState', 'rawKeyedState', 'rawOperatorState', 'resultSubpartitionState'];

function specs(line: FlinkLine): Record<string, ClassSpec> {
  const subtaskCollections = line === '2.3' ? [...STATE_COLLECTIONS, 'upstreamOutputBufferState'] : STATE_COLLECTIONS;
  return {
    [CLS.completedCheckpoint]: {
      suid: -8360248179615702014n,
      fields: [
        'JcheckpointID', 'JcompletionTimestamp', 'Jtimestamp', `LexternalPointer:${STRING}`, `Ljob:${CLS.jobId}`,
        'LmasterHookStates:java.util.Collection', `LmetadataHandle:${ST}StreamStateHandle`, 'LoperatorStates:java.util.Map',
        `Lprops:${CLS.checkpointProperties}`, `LrestoredProps:${CLS.checkpointProperties}`, `LstorageLocation:${ST}CompletedCheckpointStorageLocation`,
      ],
    },
    [CLS.abstractId]: { suid: 1n, fields: ['JlowerPart', 'JupperPart'] },
    [CLS.jobId]: { suid: 1n, superClass: CLS.abstractId },
    [CLS.operatorId]: { suid: 1n, superClass: CLS.abstractId },
    [CLS.operatorState]: {
      suid: -4845578005863201810n,
      fields: [
        'ImaxParallelism', 'Iparallelism', `LcoordinatorState:${CLS.byteStreamStateHandle}`, `LoperatorID:${CLS.operatorId}`,
        'LoperatorSubtaskStates:java.util.Map',
        ...(line === '1.20' ? [] : [`LoperatorName:${STRING}`, `LoperatorUid:${STRING}`]),
      ],
    },
    [CLS.fullyFinishedOperatorState]: { suid: 1n, superClass: CLS.operatorState },
    [CLS.operatorSubtaskState]: {
      suid: -2394696997971923995n,
      fields: [
        'JcheckpointedSize', 'JstateSize', `LinputRescalingDescriptor:${CLS.rescaling}`, `LoutputRescalingDescriptor:${CLS.rescaling}`,
        ...subtaskCollections.map((n) => `L${n}:${CLS.stateObjectCollection}`),
      ],
    },
    [CLS.finishedOperatorSubtaskState]: { suid: 1n, superClass: CLS.operatorSubtaskState },
    [CLS.stateObjectCollection]: { suid: 1n, fields: ['LstateObjects:java.util.Collection'] },
    [CLS.masterState]: { suid: 1n, fields: ['Iversion', '[bytes:[B', `Lname:${STRING}`] },
    [CLS.rescaling]: {
      suid: -3396674344669796295n,
      fields: [`[gateOrPartitionDescriptors:${CLS.gateOrPartitionArray.replace(/\./g, '/')}`],
    },
    [CLS.noRescaling]: { suid: 1n, superClass: CLS.rescaling },
    [CLS.gateOrPartitionArray]: { suid: -3303479746745588746n },
    [CLS.checkpointProperties]: {
      suid: 2n,
      fields: [
        ...['discardCancelled', 'discardFailed', 'discardFinished', 'discardSubsumed', 'discardSuspended', 'forced', 'unclaimed'].map((n) => `Z${n}`),
        `LcheckpointType:${CP}SnapshotType`,
      ],
    },
    [CLS.checkpointType]: { suid: DEFAULT_TEMPLATE.checkpointTypeSuid, fields: [`Lname:${STRING}`, `LsharingFilesStrategy:${CLS.sharingFilesStrategy}`] },
    [CLS.savepointType]: {
      suid: DEFAULT_TEMPLATE.savepointTypeSuid,
      fields: [`Lname:${STRING}`, `LformatType:${CLS.savepointFormatType}`, `LpostCheckpointAction:${CLS.postCheckpointAction}`],
    },
    [CLS.sharingFilesStrategy]: ENUM,
    [CLS.postCheckpointAction]: ENUM,
    [CLS.savepointFormatType]: ENUM,
    [CLS.mode]: ENUM,
    [CLS.enum]: { suid: 0n, flags: S | SC_ENUM },
    [CLS.fsLocation]: {
      suid: 1n,
      fields: [`LexclusiveCheckpointDir:${CLS.path}`, `LexternalPointer:${STRING}`, `LmetadataFileHandle:${CLS.fileStateHandle}`],
    },
    [CLS.fileStateHandle]: { suid: 350284443258002355n, fields: ['JstateSize', `LfilePath:${CLS.path}`] },
    [CLS.relativeFileStateHandle]: { suid: 1n, fields: [`LrelativePath:${STRING}`], superClass: CLS.fileStateHandle },
    [CLS.byteStreamStateHandle]: { suid: -5280226231202517594n, fields: ['[data:[B', `LhandleName:${STRING}`] },
    [CLS.keyGroupsStateHandle]: {
      suid: -8070326169926626355n,
      fields: [`LgroupRangeOffsets:${CLS.keyGroupRangeOffsets}`, `LstateHandle:${ST}StreamStateHandle`, `LstateHandleId:${CLS.stateHandleId}`],
    },
    [CLS.keyGroupsSavepointStateHandle]: { suid: 1n, superClass: CLS.keyGroupsStateHandle },
    [CLS.keyGroupRangeOffsets]: { suid: 6595415219136429696n, fields: [`LkeyGroupRange:${CLS.keyGroupRange}`, '[offsets:[J'] },
    [CLS.keyGroupRange]: { suid: 4869121477592070607n, fields: ['IendKeyGroup', 'IstartKeyGroup'] },
    [CLS.stringBasedId]: { suid: 1n, fields: [`LkeyString:${STRING}`] },
    [CLS.stateHandleId]: { suid: 1n, superClass: CLS.stringBasedId },
    [CLS.abstractIncremental]: {
      suid: 1n,
      fields: [
        'JcheckpointId', `LbackendIdentifier:${CLS.uuid}`, `LkeyGroupRange:${CLS.keyGroupRange}`, `LmetaStateHandle:${ST}StreamStateHandle`,
        'LsharedState:java.util.List', `LstateHandleId:${CLS.stateHandleId}`,
      ],
    },
    [CLS.incremental]: { suid: -8328808513197388231n, fields: ['JpersistedSizeOfThisCheckpoint', 'LprivateState:java.util.List'], superClass: CLS.abstractIncremental },
    [CLS.handleAndLocalPath]: { suid: 7711754687567545052n, fields: [`Lhandle:${ST}StreamStateHandle`, `LlocalPath:${STRING}`] },
    [CLS.operatorStreamStateHandle]: {
      suid: 35876522969227335n,
      fields: [`LdelegateStateHandle:${ST}StreamStateHandle`, 'LstateNameToPartitionOffsets:java.util.Map'],
    },
    [CLS.stateMetaInfo]: { suid: 3593817615858941166n, fields: [`LdistributionMode:${CLS.mode}`, '[offsets:[J'] },
    [CLS.path]: { suid: 1n, fields: [`Luri:${CLS.uri}`] },
    [CLS.uri]: { suid: -6052424284110960213n, fields: [`Lstring:${STRING}`], flags: S | SC_WRITE_METHOD },
    [CLS.uuid]: { suid: -4856846361193249489n, fields: ['JleastSigBits', 'JmostSigBits'] },
    [CLS.number]: { suid: -8742448824652078965n },
    [CLS.integer]: { suid: 1360826667806852920n, fields: ['Ivalue'], superClass: CLS.number },
    [CLS.hashMap]: { suid: 362498820763181265n, fields: ['FloadFactor', 'Ithreshold'], flags: S | SC_WRITE_METHOD },
    [CLS.arrayList]: { suid: 8683452581122892189n, fields: ['Isize'], flags: S | SC_WRITE_METHOD },
    [CLS.emptyList]: { suid: 8842843931221139166n },
    [CLS.singletonSet]: { suid: 3193687207550431679n, fields: ['Lelement:java.lang.Object'] },
    [CLS.bytes]: { suid: -5984413125824719648n },
    [CLS.longs]: { suid: 8655923659555304851n },
  };
}

function field(spec: FieldSpec): JavaFieldDesc {
  const code = spec.charAt(0) as JavaFieldDesc['code'];
  const [name, type] = spec.slice(1).split(':') as [string, string | undefined];
  if (code === 'L') return { code, name, signature: `L${type!.replace(/\./g, '/')};` };
  if (code === '[') return { code, name, signature: type! };
  return { code, name };
}

/** The descriptors of one Flink line; one JS object per class (the writer shares them by identity). */
export class FlinkClasses {
  private readonly specs: Record<string, ClassSpec>;
  private readonly descs = new Map<string, JavaClassDesc>();

  constructor(readonly line: FlinkLine) {
    this.specs = specs(line);
  }

  desc(name: string): JavaClassDesc {
    const known = this.descs.get(name);
    if (known !== undefined) return known;
    const spec = this.specs[name];
    if (spec === undefined) throw new HaError('Unsupported', `no class descriptor of ${name} for Flink ${this.line}`);
    const d: JavaClassDesc = {
      kind: 'classDesc',
      name,
      suid: spec.suid,
      flags: spec.flags ?? S,
      fields: javaFieldOrder((spec.fields ?? []).map(field)),
      superClass: spec.superClass === undefined ? null : this.desc(spec.superClass),
    };
    this.descs.set(name, d);
    return d;
  }

  has(name: string, fieldName: string): boolean {
    return this.desc(name).fields.some((f) => f.name === fieldName);
  }
}

/** The line of a Flink version string (`1.20.3`, `2.0`, `2.3.0`), or a typed error for lines ckpt cannot write. */
export function flinkLine(version: string): FlinkLine {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  const line = m ? `${m[1]}.${m[2]}` : version;
  if ((FLINK_LINES as readonly string[]).includes(line)) return line as FlinkLine;
  if (line === '2.1' || line === '2.2') return '2.0';
  throw new HaError('Unsupported', `cannot write a completedCheckpoint file for Flink ${version} (known lines: ${FLINK_LINES.join(', ')}, 2.1, 2.2)`);
}
