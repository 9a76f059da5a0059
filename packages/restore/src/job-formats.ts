import { jsonSyntaxOffset } from '@ckpt/format';
import { RestoreError } from './errors.js';
import type { JobDescription, OperatorDescription, SubtaskStateMapperName, VertexDescription } from './job.js';

/**
 * Other inputs that describe a new job: Flink's REST job plan (`GET /jobs/:jobid/plan`) and a
 * plain list of `uid=parallelism` pairs. Both become a {@link JobDescription}.
 */

/** The parts of Flink's REST job plan ckpt uses (`{"plan": {...}}` or the inner object). */
export interface RestPlan {
  jid?: string;
  name?: string;
  nodes: {
    id: string;
    parallelism: number;
    operator?: string;
    description?: string;
    inputs?: { num?: number; id: string; ship_strategy?: string; exchange?: string }[];
  }[];
}

export interface JobInputOptions {
  restoreMode?: 'savepoint' | 'checkpoint';
  allowNonRestoredState?: boolean;
  maxParallelism?: number;
  checkpointPointer?: string;
  /** Chained operators the plan cannot show: vertex id (head operator id) → operators after the head. */
  chainedOperators?: Record<string, (string | OperatorDescription)[]>;
}

/** Mappers Flink's partitioners install, by the plan's `ship_strategy` name. */
function mappersFor(shipStrategy: string | undefined): { up: SubtaskStateMapperName; down: SubtaskStateMapperName } | undefined {
  switch ((shipStrategy ?? '').toUpperCase()) {
    case 'HASH':
      return { up: 'ARBITRARY', down: 'RANGE' };
    case 'REBALANCE':
    case 'SHUFFLE':
      return { up: 'ARBITRARY', down: 'ROUND_ROBIN' };
    case 'GLOBAL':
      return { up: 'ARBITRARY', down: 'FIRST' };
    case 'FORWARD':
    case 'RESCALE':
    case 'BROADCAST':
      return { up: 'UNSUPPORTED', down: 'UNSUPPORTED' };
    default:
      return undefined;
  }
}

function withOptions(vertices: VertexDescription[], o: JobInputOptions): JobDescription {
  const d: JobDescription = { vertices };
  if (o.restoreMode !== undefined) d.restoreMode = o.restoreMode;
  if (o.allowNonRestoredState !== undefined) d.allowNonRestoredState = o.allowNonRestoredState;
  if (o.maxParallelism !== undefined) d.maxParallelism = o.maxParallelism;
  if (o.checkpointPointer !== undefined) d.checkpointPointer = o.checkpointPointer;
  return d;
}

/**
 * A job description from Flink's REST plan. Each node is a job vertex whose id is the head
 * operator's generated id; the plan does not list chained operators nor max parallelism (pass
 * them in `options`). Edges get the mappers of their ship strategy.
 */
export function jobFromRestPlan(plan: RestPlan | { plan: RestPlan }, options: JobInputOptions = {}): JobDescription {
  const p = 'plan' in plan ? plan.plan : plan;
  if (p === null || typeof p !== 'object' || !Array.isArray(p.nodes)) {
    throw new RestoreError('InvalidJobDescription', 'a Flink job plan needs a `nodes` array');
  }
  const nameOf = new Map(p.nodes.map((n) => [n.id, n.id] as const));
  const vertices: VertexDescription[] = p.nodes.map((n) => {
    const v: VertexDescription = {
      name: n.id,
      parallelism: n.parallelism,
      operators: [n.id, ...(options.chainedOperators?.[n.id] ?? [])],
    };
    const inputs = [...(n.inputs ?? [])].sort((a, b) => (a.num ?? 0) - (b.num ?? 0));
    if (inputs.length > 0) {
      v.inputs = inputs.map((i) => {
        const from = nameOf.get(i.id);
        if (from === undefined) throw new RestoreError('InvalidJobDescription', `plan input ${i.id} is not a node of the plan`);
        const m = mappersFor(i.ship_strategy);
        return m === undefined ? { from } : { from, upstreamMapper: m.up, downstreamMapper: m.down };
      });
    }
    return v;
  });
  return withOptions(vertices, options);
}

/**
 * A job description from `uid=parallelism` pairs (one per line, or separated by commas or
 * whitespace; `#` starts a comment). Optional `uid=parallelism/maxParallelism`. Each operator
 * becomes its own vertex (no chaining is known).
 */
export function jobFromUidList(text: string, options: JobInputOptions = {}): JobDescription {
  const vertices: VertexDescription[] = [];
  let lineStart = 0;
  for (const [ln, raw] of text.split('\n').entries()) {
    const at = lineStart;
    lineStart += raw.length + 1;
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    for (const item of line.split(/[,\s]+/).filter((s) => s !== '')) {
      const m = /^(.+)=(\d+)(?:\/(\d+))?$/.exec(item);
      if (!m) {
        throw new RestoreError('InvalidJobDescription', `line ${ln + 1}: expected uid=parallelism, got ${JSON.stringify(item)}`, {
          offset: at + raw.indexOf(item),
        });
      }
      const v: VertexDescription = { name: m[1]!, parallelism: Number(m[2]), operators: [{ uid: m[1]! }] };
      if (m[3] !== undefined) v.maxParallelism = Number(m[3]);
      vertices.push(v);
    }
  }
  return withOptions(vertices, options);
}

/**
 * Recognises the input: a {@link JobDescription} object (has `vertices`), a Flink REST plan (has
 * `plan` or `nodes`), JSON text of either, or `uid=parallelism` text.
 */
export function parseJobInput(input: string | object, options: JobInputOptions = {}): JobDescription {
  let value: unknown = input;
  if (typeof input === 'string') {
    const t = input.trim();
    if (!t.startsWith('{')) return jobFromUidList(input, options);
    try {
      value = JSON.parse(t);
    } catch (e) {
      // offsets count UTF-16 units of the input (JSON.parse positions plus the trimmed whitespace)
      const offset = input.length - input.trimStart().length + jsonSyntaxOffset(t, e);
      throw new RestoreError('InvalidJobDescription', `not JSON: ${(e as Error).message}`, { cause: e, offset });
    }
  }
  if (value !== null && typeof value === 'object') {
    if ('vertices' in value) {
      const d = value as JobDescription;
      return { ...withOptions([], options), ...d };
    }
    if ('plan' in value || 'nodes' in value) return jobFromRestPlan(value as RestPlan, options);
  }
  throw new RestoreError('InvalidJobDescription', 'expected a job description (`vertices`), a Flink job plan (`plan`/`nodes`) or uid=parallelism pairs');
}

/**
 * The stored job unchanged but for parallelism: one vertex per stored operator (named by its uid,
 * else its name, else its id; a name several operators share gets the operator id added), at `parallelismOf(op)` (default: the stored parallelism); the max
 * parallelism is adopted from the state.
 */
export function jobFromCheckpoint<Op extends { operatorId: string; uid?: string; name?: string; parallelism: number }>(
  operators: readonly Op[],
  parallelismOf: (op: Op) => number | undefined = () => undefined,
  options: JobInputOptions = {},
): JobDescription {
  const label = (op: Op) => op.uid ?? op.name ?? op.operatorId;
  // names need not be unique (SQL jobs repeat them): a repeated one carries the operator id too
  const uses = new Map<string, number>();
  for (const op of operators) uses.set(label(op), (uses.get(label(op)) ?? 0) + 1);
  const vertices = operators.map((op) => ({
    name: uses.get(label(op))! > 1 ? `${label(op)} (${op.operatorId})` : label(op),
    parallelism: parallelismOf(op) ?? op.parallelism,
    operators: [op.operatorId],
  }));
  return withOptions(vertices, options);
}
