import { UsageError } from '@ckpt/format';
import type { OperatorFacts, SerializerUse, SnapshotFacts, StateFacts } from './facts.js';
import { unknownHandleMessage } from './handles.js';
import { BACKENDS, compareMinor, LATEST, RELEASES, release, TARGETS, type Backend, type Release } from './releases.js';
import { inferWriters, rangeLabel, type Writers } from './writers.js';

/** How bad a finding is, worst first. */
export const SEVERITIES = ['refuses', 'fails-while-restoring', 'loses-state', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface OperatorRef {
  operatorId: string;
  uid?: string;
  name?: string;
}

export interface Finding {
  severity: Severity;
  /** Rule id, e.g. `metadata-version`, `kryo-bytes`, `missing-class`. */
  rule: string;
  /** What happens, in ckpt's words. */
  message: string;
  /** Flink's own message, where Flink prints one. */
  flinkMessage?: string;
  operator?: OperatorRef;
  state?: string;
  /** Serializer snapshot class (and where in the state's serializer tree). */
  serializer?: string;
  serializerPath?: string;
  /** What the user can do. */
  action: string;
  /** A reading of Flink's code that no Flink message states (not verified by running Flink). */
  inferred?: boolean;
}

export type Verdict = 'ok' | 'warnings' | Exclude<Severity, 'warning'>;

export interface UpgradeReport {
  target: string;
  writers: { releases: string[]; label: string; evidence: string[]; inconsistent: boolean };
  verdict: Verdict;
  /** True when the target refuses, fails while restoring, or loses state (the CLI's exit 3). */
  blocking: boolean;
  findings: Finding[];
  coverage: {
    stateFilesRead: boolean;
    /** Operators whose state headers were read. */
    operatorsRead: number;
    unavailableFiles: number;
    unreadHeaders: number;
    /**
     * Headers ckpt could not parse to their end (e.g. a serializer snapshot layout it does not
     * know): their snapshot classes were found by scanning the bytes, so checks that need the
     * full tree (Kryo registrations, nesting) may miss something. One entry per distinct error.
     */
    partlyRead: { operator: string; file: string; error: string }[];
    changelogIncrements: boolean;
  };
}

/** `1.20`, `1.20.3`, `2.x`, `latest`, `2.x latest` → a target minor ckpt has rules for. */
export function resolveTarget(spec: string): string {
  const s = spec.trim().toLowerCase();
  if (s === 'latest' || s === '2.x' || s === '2.x latest' || s === '2.x-latest') return LATEST;
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:-.*)?$/.exec(s);
  const minor = m ? `${m[1]}.${m[2]}` : undefined;
  if (minor === undefined || !TARGETS.includes(minor)) {
    throw new UsageError('BadArgument', `no upgrade rules for Flink "${spec}"; targets: ${TARGETS.join(', ')}, 2.x (= ${LATEST})`);
  }
  return minor;
}

const opRef = (o: OperatorFacts): OperatorRef => ({
  operatorId: o.operatorId,
  ...(o.uid === undefined ? {} : { uid: o.uid }),
  ...(o.name === undefined ? {} : { name: o.name }),
});

export function operatorLabel(o: OperatorRef): string {
  if (o.uid !== undefined) return `uid ${o.uid}${o.name !== undefined ? ` (${o.name})` : ''}`;
  if (o.name !== undefined) return `${o.name} [${o.operatorId}]`;
  return o.operatorId;
}

function matches(match: string, className: string): boolean {
  return match.endsWith('.') ? className.startsWith(match) : className === match;
}

function list(xs: readonly number[]): string {
  return `[${xs.join(', ')}]`;
}

const TABLE_RUNTIME = 'org.apache.flink.table.';
const TTL_SNAPSHOT = 'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot';
const TTL_SERIALIZER = 'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializer';
const KRYO_SNAPSHOT = 'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot';
const ADAPTER_VERSION = 0x7a53c4f0;
/** Declared types 2.x gives Flink's own nullable collection serializers (FLINK-35555, FLIP-398). */
const COLLECTIONS = /^java\.util\.(List|Set|Map|Collection)$/;

/** Every serializer use of an operator: from parsed headers and, where a header was not parsed, by scanning. */
interface Use {
  state?: StateFacts;
  /** The operator's key serializer (shared by its keyed states). */
  key?: true;
  use: SerializerUse;
}

function uses(o: OperatorFacts): Use[] {
  const out: Use[] = o.keySerializer.map((use): Use => ({ key: true, use }));
  for (const s of o.states) for (const use of s.serializers) out.push({ state: s, use });
  for (const u of o.unread) for (const c of u.classNames) out.push({ use: { path: '?', className: c.className, version: c.version } });
  return out;
}

function useLabel(o: OperatorRef, u: Use): string {
  if (u.key) return `the key serializer of ${operatorLabel(o)} (all its keyed states)`;
  return u.state ? `state "${u.state.name}" of ${operatorLabel(o)}` : `a state of ${operatorLabel(o)} (header not fully parsed)`;
}

class Findings {
  readonly list: Finding[] = [];
  add(f: Finding): void {
    const id = (x: Finding) => JSON.stringify([x.rule, x.operator?.operatorId, x.state, x.serializer, x.serializerPath, x.flinkMessage]);
    if (!this.list.some((x) => id(x) === id(f))) this.list.push(f);
  }
}

/** The checks that stop Flink before any task runs: `_metadata` version and handle codes. */
function checkMetadata(f: SnapshotFacts, w: Writers, t: Release, out: Findings): boolean {
  const v = f.metadataVersion;
  const writtenBy = `written by Flink ${w.label}`;
  const back = `A snapshot cannot move to an older Flink: restore it on Flink ${w.releases[0]?.minor ?? 'the writing release'} or newer, or rebuild the state on ${t.minor} (from the sources, or with the State Processor API).`;
  if (t.metadata.refuses?.includes(v)) {
    out.add({
      severity: 'refuses',
      rule: 'metadata-version',
      message: `_metadata V${v} (${writtenBy}) is registered in Flink ${t.minor} only to be refused`,
      flinkMessage: 'This savepoint / checkpoint version (Flink 1.1 / 1.2) is no longer supported.',
      action: 'Restore it on Flink 1.3–1.10, take a new savepoint there, and upgrade step by step (1.x releases read the previous metadata versions).',
    });
    return false;
  }
  if (!t.metadata.reads.includes(v)) {
    out.add({
      severity: 'refuses',
      rule: 'metadata-version',
      message: `Flink ${t.minor} reads _metadata versions ${t.metadata.reads.join(', ')}; this file is V${v} (${writtenBy})`,
      flinkMessage: `Unrecognized checkpoint version number: ${v}`,
      action: v > t.metadata.writes ? back : 'Upgrade via an intermediate release that reads this version and writes one the target reads.',
    });
    return false;
  }
  let ok = true;
  for (const h of f.handleCodes) {
    if (t.handleCodes.includes(h.code)) continue;
    ok = false;
    out.add({
      severity: 'refuses',
      rule: 'handle-code',
      message: `handle type ${h.code} (first in operator ${h.operatorId}) is newer than Flink ${t.minor}'s metadata reader`,
      flinkMessage: unknownHandleMessage(h),
      action: back,
    });
  }
  return ok;
}

function checkHeaders(o: OperatorFacts, t: Release, out: Findings): void {
  const operator = opRef(o);
  for (const v of o.keyedProxyVersions) {
    if (t.keyedProxy.reads.includes(v)) continue;
    const base = `Incompatible version: found ${v}, compatible versions are ${list(t.keyedProxy.reads)}`;
    out.add({
      severity: 'fails-while-restoring',
      rule: 'keyed-proxy-version',
      message: `keyed state files of ${operatorLabel(operator)} have header version ${v}; Flink ${t.minor} reads ${list(t.keyedProxy.reads)}`,
      flinkMessage: t.keyedProxy.hint ? `${base}. ${t.keyedProxy.hint}` : base,
      operator,
      action: v < 6 ? 'Upgrade in two steps: restore on Flink 1.16, take a new savepoint there, then restore that on the target.' : 'Restore on a release that reads it (the writing release or newer).',
    });
  }
  for (const v of o.operatorProxyVersions) {
    if (!t.operatorProxy.reads.includes(v)) {
      out.add({
        severity: 'fails-while-restoring',
        rule: 'operator-proxy-version',
        message: `operator state files of ${operatorLabel(operator)} have header version ${v}; Flink ${t.minor} reads ${list(t.operatorProxy.reads)}`,
        flinkMessage: `Incompatible version: found ${v}, compatible versions are ${list(t.operatorProxy.reads)}`,
        operator,
        action: 'A snapshot cannot move to an older Flink: restore it on the writing release or newer.',
      });
    } else if (v < 5 && !t.legacyConfigSnapshots) {
      // operator proxy 1–4 carry state meta info versions 1, 2, 3, 5 (StateMetaInfoSnapshotReadersWriters)
      const metaInfo = [1, 2, 3, 5][v - 1] ?? v;
      out.add({
        severity: 'fails-while-restoring',
        rule: 'operator-meta-info-version',
        message: `operator state files of ${operatorLabel(operator)} have header version ${v} (state meta info ${metaInfo}), which Flink ${t.minor} no longer reads`,
        flinkMessage: `No longer supported version [${metaInfo}]. Please upgrade first to Flink 1.16. `,
        operator,
        action: 'Upgrade in two steps: restore on Flink 1.16, take a new savepoint there, then restore that on the target.',
      });
    }
  }
  if (!t.legacyConfigSnapshots) {
    for (const u of o.unread.filter((x) => x.legacyEnvelope)) {
      out.add({
        severity: 'fails-while-restoring',
        rule: 'legacy-serializer-snapshot',
        message: `${u.file} holds serializer snapshots in the pre-1.7 format, which Flink ${t.minor} no longer reads`,
        flinkMessage: 'Incompatible version: found 1, compatible versions are [2]. As of Flink 1.17 TypeSerializerConfigSnapshot is no longer supported.',
        operator,
        action: 'Upgrade in two steps: restore on Flink 1.16, take a new savepoint there, then restore that on the target.',
      });
    }
  }
}

function checkSerializers(o: OperatorFacts, w: Writers, t: Release, out: Findings): void {
  const operator = opRef(o);
  const writerMissing = (c: string) => w.releases.length > 0 && w.releases.every((r) => r.missingClasses.some((m) => matches(m.match, c)));
  const kryoChange = w.releases.some((r) => r.kryo !== t.kryo);
  const kryoCertain = w.releases.length > 0 && w.releases.every((r) => r.kryo !== t.kryo);
  const sst = o.states.some((s) => s.sst);
  for (const u of uses(o)) {
    const { state, use } = u;
    const where = { operator, ...(state ? { state: state.name } : {}), serializer: use.className, serializerPath: use.path };
    const stateLabel = useLabel(operator, u);
    const missing = t.missingClasses.find((m) => matches(m.match, use.className));
    if (missing && !writerMissing(use.className)) {
      out.add({
        severity: 'fails-while-restoring',
        rule: 'missing-class',
        message: `${stateLabel} has serializer snapshot ${use.className} (at ${use.path}), which Flink ${t.minor} does not have: ${missing.why}`,
        flinkMessage: `Could not find class '${use.className}' in classpath.`,
        ...where,
        action: missing.action,
      });
    }
    if (use.version === ADAPTER_VERSION && !t.legacyConfigSnapshots) {
      out.add({
        severity: 'fails-while-restoring',
        rule: 'legacy-serializer-snapshot',
        message: `${stateLabel} has a legacy TypeSerializerConfigSnapshot (${use.className}), which Flink ${t.minor} no longer reads`,
        flinkMessage:
          `Could not find class '${use.className}' in classpath.` +
          (use.className.includes('SerializerConfig') ? ' TypeSerializerConfigSnapshot and it\'s subclasses are not supported since Flink 1.17. If you are using built-in serializers, please first migrate to Flink 1.16.' : ''),
        ...where,
        action: 'Upgrade in two steps: restore on Flink 1.16, take a new savepoint there (it writes current snapshots), then restore that on the target.',
      });
    }
    if (use.className === KRYO_SNAPSHOT && kryoChange) {
      const from = [...new Set(w.releases.filter((r) => r.kryo !== t.kryo).map((r) => r.kryo))].join('/');
      const only = kryoCertain ? '' : ` (if written by Flink ${rangeLabel(w.releases.filter((r) => r.kryo !== t.kryo))})`;
      const type = use.kryo ? ` for ${use.kryo.typeClass}` : '';
      const regs = use.kryo && use.kryo.registrations.length ? `; Kryo registrations: ${use.kryo.registrations.join(', ')}` : '';
      const defaults = use.kryo && use.kryo.defaultSerializers.length ? `; default serializers for ${use.kryo.defaultSerializers.join(', ')}` : '';
      const collection = use.kryo && COLLECTIONS.test(use.kryo.typeClass) && w.releases.some((r) => r.collections !== t.collections);
      if (collection) {
        const operatorState = state?.kind === 'operator' || state?.kind === 'broadcast';
        out.add({
          severity: 'fails-while-restoring',
          rule: 'kryo-collection',
          message:
            `${stateLabel} is a ${use.kryo!.typeClass} serialized by Kryo (at ${use.path}): Flink ${t.minor} types ${use.kryo!.typeClass} with its own (nullable) collection serializers, ` +
            `so the same job code asks for a serializer that is incompatible with the old Kryo snapshot${only}`,
          flinkMessage: operatorState
            ? 'The new state typeSerializer for operator state must not be incompatible.'
            : `${sst ? 'The new' : 'For heap backends, the new'} state serializer (org.apache.flink.api.java.typeutils.runtime.NullableSerializer@…) must not be incompatible with the old state serializer (org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer@…).`,
          ...where,
          action: `Before upgrading, ${REWRITE}.`,
          ...(operatorState ? { inferred: true } : {}),
        });
        continue;
      }
      out.add({
        severity: 'warning',
        rule: 'kryo-bytes',
        message:
          `${stateLabel} is Kryo-serialized${type} (at ${use.path}${regs}${defaults}), written with Kryo ${from} and read by Flink ${t.minor} with Kryo ${t.kryo}${only}. ` +
          'The snapshot class and version are the same, so Flink checks nothing up front, and it does not guarantee 1.x state in 2.x; ' +
          'Kryo 5 read back the Kryo 2 bytes of a plain class (primitive and String fields) in ckpt\'s real-Flink runs (heap, RocksDB, operator state), ' +
          'but types with custom or removed (chill, Scala) Kryo serializers may fail while restoring (heap, operator state) or on first access (RocksDB)',
        ...where,
        action: `Test the restore on ${t.minor} with a copy of the savepoint; if it fails, ${REWRITE}.`,
        inferred: true,
      });
    }

  }
}

/** What ckpt knows about the job that will restore the snapshot (nothing by default). */
export interface UpgradeCheckOptions {
  /**
   * The new job turns TTL off for the keyed states that have it and on for those without it:
   * `true` = every keyed state, or the names of the states it toggles.
   */
  ttlToggle?: boolean | readonly string[];
  /** State backend of the new job; default: RocksDB for native (SST) state, else not known. */
  backend?: Backend;
}

function checkOptions(f: SnapshotFacts, opts: UpgradeCheckOptions): void {
  if (opts.backend !== undefined && !BACKENDS.includes(opts.backend)) {
    throw new UsageError('BadArgument', `unknown state backend "${String(opts.backend)}"; one of ${BACKENDS.join(', ')}`);
  }
  if (!Array.isArray(opts.ttlToggle)) return;
  const keyed = new Set(f.operators.flatMap((o) => o.states.filter((s) => s.kind === 'keyed').map((s) => s.name)));
  const unknown = opts.ttlToggle.filter((n) => !keyed.has(n));
  if (unknown.length) throw new UsageError('BadArgument', `--ttl-toggle: no keyed state named ${unknown.map((n) => `"${n}"`).join(', ')} in the snapshot`);
}

/** `hashmap since 2.2, rocksdb since 2.1, never forst`, from the release table. */
function ttlToggleSince(): string {
  return BACKENDS.map((b) => {
    const first = RELEASES.find((r) => r.ttlToggle[b]);
    return first ? `${b} since ${first.minor}` : `never ${b}`;
  }).join(', ');
}

function checkTtl(o: OperatorFacts, s: StateFacts, t: Release, opts: UpgradeCheckOptions, out: Findings): void {
  const operator = opRef(o);
  const ttl = s.serializers.find((u) => u.className === TTL_SNAPSHOT);
  const toggled = opts.ttlToggle === true || (Array.isArray(opts.ttlToggle) && opts.ttlToggle.includes(s.name));
  const where = `state "${s.name}" of ${operatorLabel(operator)}`;
  if (!toggled) {
    if (ttl && (!t.ttlToggle.hashmap || !t.ttlToggle.rocksdb)) {
      out.add({
        severity: 'warning',
        rule: 'ttl-toggle',
        message: `${where} has TTL; Flink ${t.minor} restores it as long as TTL stays on — switching TTL off (or on for a state without it) is allowed on ${ttlToggleSince()}; otherwise a StateMigrationException`,
        operator,
        state: s.name,
        serializer: ttl.className,
        action: 'Keep the TTL setting of this state for the upgrade; change it in a later step on a release that allows it (or on the same release with a new uid and --allowNonRestoredState).',
      });
    }
    return;
  }
  const backend = opts.backend ?? (s.sst ? 'rocksdb' : undefined);
  const allowed = backend ? t.ttlToggle[backend] : t.ttlToggle.hashmap && t.ttlToggle.rocksdb;
  const turn = ttl ? 'off' : 'on';
  const on = backend ? `the ${backend} backend` : 'every backend';
  out.add({
    severity: allowed ? 'warning' : 'fails-while-restoring',
    rule: 'ttl-toggle',
    message: allowed
      ? `the new job turns TTL ${turn} for ${where}: Flink ${t.minor} migrates the state on restore (${on})`
      : `the new job turns TTL ${turn} for ${where}: Flink ${t.minor} fails with a StateMigrationException on ${backend ? on : 'a backend that does not allow it'} (TTL on/off is allowed on ${ttlToggleSince()})`,
    // Flink names the new serializer first; ckpt knows it only when TTL is turned on
    ...(allowed || ttl || !backend
      ? {}
      : { flinkMessage: `${backend === 'hashmap' ? 'For heap backends, the new' : 'The new'} state serializer (${TTL_SERIALIZER}@…) must not be incompatible with the old state serializer (…).` }),
    operator,
    state: s.name,
    ...(ttl ? { serializer: ttl.className } : {}),
    action: allowed
      ? 'Test the restore; the state is rewritten with the new TTL setting.'
      : 'Keep the TTL setting for this upgrade and toggle it on a release and backend that allow it, or give the operator a new uid and restore with --allowNonRestoredState (the state is lost).',
  });
}

const REWRITE =
  'rewrite this state on 1.x into types with Flink serializers (POJOs, Avro, Flink types; State Processor API, or change the types and take a new savepoint on 1.x), or drop it: give the operator a new uid and restore with --allowNonRestoredState';

function checkStates(o: OperatorFacts, w: Writers, t: Release, opts: UpgradeCheckOptions, out: Findings): void {
  const operator = opRef(o);
  for (const s of o.states) {
    if (s.kind === 'operator' || s.kind === 'broadcast') {
      const gone = t.unreadOperatorStates.find((x) => x.name === s.name);
      if (gone && !w.releases.every((r) => r.unreadOperatorStates.some((x) => x.name === s.name))) {
        out.add({
          severity: 'loses-state',
          rule: 'unread-operator-state',
          message: `operator state "${s.name}" of ${operatorLabel(operator)} was written by ${gone.writer}: ${gone.why}`,
          operator,
          state: s.name,
          action: gone.action,
          inferred: true,
        });
      }
    }
    if (s.kind === 'keyed') checkTtl(o, s, t, opts, out);
  }
  const sql = uses(o).find(({ use }) => use.className.startsWith(TABLE_RUNTIME));
  if (sql && !w.releases.every((r) => r.minor === t.minor)) {
    out.add({
      severity: 'warning',
      rule: 'sql-state',
      message: `${operatorLabel(operator)} holds SQL / Table runtime state (${sql.use.className}); Flink does not guarantee SQL state across minor versions: a new optimizer or runtime operator can change the plan and its state`,
      operator,
      ...(sql.state ? { state: sql.state.name } : {}),
      serializer: sql.use.className,
      action: 'Compile the plan on the old release (COMPILE PLAN) and run the same compiled plan on the target; test the restore before switching.',
    });
  }
}

function checkSnapshotKind(f: SnapshotFacts, w: Writers, t: Release, byId: Map<string, OperatorFacts>, out: Findings): void {
  const sameMinor = w.releases.length > 0 && w.releases.every((r) => r.minor === t.minor);
  if (f.channelStateOperators.length > 0 && !sameMinor) {
    const ops = f.channelStateOperators.map((id) => operatorLabel(byId.get(id) ? opRef(byId.get(id)!) : { operatorId: id }));
    out.add({
      severity: 'warning',
      rule: 'unaligned-checkpoint',
      message: `unaligned checkpoint with in-flight data (${ops.join(', ')}); Flink's documentation does not support restoring unaligned checkpoints across minor versions (written by ${w.label}, target ${t.minor}); ckpt's real-Flink runs restored 1.20 → 2.0 / 2.3 and 2.0 → 2.3 unaligned checkpoints, without a guarantee`,
      action: 'Take an aligned savepoint (canonical) on the old release and restore that.',
    });
  }
  for (const id of f.nativeOperators) {
    const other = w.releases.filter((r) => r.rocksdb !== t.rocksdb);
    if (other.length === 0) continue;
    const o = byId.get(id);
    out.add({
      severity: 'warning',
      rule: 'native-rocksdb',
      message: `${o ? operatorLabel(opRef(o)) : id} holds RocksDB native/incremental state (SST files) of RocksDB ${[...new Set(other.map((r) => r.rocksdb))].join('/')}; Flink ${t.minor} opens it with RocksDB ${t.rocksdb}. Upgrades read older SST files, but Flink only guarantees canonical savepoints across backends and versions`,
      ...(o ? { operator: opRef(o) } : {}),
      action: 'Prefer a canonical savepoint for the upgrade (or test the native restore first).',
    });
  }
  if (w.releases.length > 0 && w.releases.every((r) => compareMinor(r.minor, t.minor) > 0)) {
    out.add({
      severity: 'warning',
      rule: 'rollback',
      message: `written by Flink ${w.label}, restored by the older ${t.minor}: Flink supports upgrades only, not going back`,
      action: 'Test the restore; keep a savepoint taken on the older release for rollbacks.',
    });
  }
}

/** Flink's answer, predicted from the files, to restoring the snapshot on `target` (e.g. `2.3`, `2.x`). */
export function upgradeCheck(f: SnapshotFacts, target: string, opts: UpgradeCheckOptions = {}): UpgradeReport {
  const minor = resolveTarget(target);
  checkOptions(f, opts);
  const t = release(minor)!;
  const w = inferWriters(f);
  const out = new Findings();
  const byId = new Map(f.operators.map((o) => [o.operatorId, o]));
  if (checkMetadata(f, w, t, out)) {
    for (const o of f.operators) checkHeaders(o, t, out);
    for (const o of f.operators) checkSerializers(o, w, t, out);
    for (const o of f.operators) checkStates(o, w, t, opts, out);
    checkSnapshotKind(f, w, t, byId, out);
  }
  const findings = out.list.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const worst = findings[0]?.severity;
  const verdict: Verdict = worst === undefined ? 'ok' : worst === 'warning' ? 'warnings' : worst;
  return {
    target: minor,
    writers: { releases: w.releases.map((r) => r.minor), label: w.label, evidence: w.evidence, inconsistent: w.inconsistent },
    verdict,
    blocking: verdict !== 'ok' && verdict !== 'warnings',
    findings,
    coverage: {
      stateFilesRead: f.stateFilesRead,
      operatorsRead: f.operators.filter((o) => o.states.length + o.unread.length > 0).length,
      unavailableFiles: f.operators.reduce((n, o) => n + o.unavailable.length, 0),
      unreadHeaders: f.operators.reduce((n, o) => n + o.unread.length, 0),
      partlyRead: f.operators.flatMap((o) => o.unread.filter((u) => !u.legacyEnvelope).map((u) => ({ operator: operatorLabel(opRef(o)), file: u.file, error: u.error }))),
      changelogIncrements: f.operators.some((o) => o.changelogIncrements),
    },
  };
}
