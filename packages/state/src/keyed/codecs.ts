import { NAMESPACE_SERIALIZER, OPTION_KEYED_STATE_TYPE, VALUE_SERIALIZER, option, requireSerializer, serializer, type StateMetaInfo } from '../meta/meta-info.js';
import { codecFor, opaqueCodec } from '../serializers/codecs.js';
import { CLS } from '../serializers/snapshot.js';
import type { KeyedStateKind, StateCodecs } from './entry.js';

const KINDS = new Set(['VALUE', 'LIST', 'MAP', 'REDUCING', 'AGGREGATING']);

export function stateCodecs(meta: StateMetaInfo): StateCodecs {
  const valueSnap = requireSerializer(meta, VALUE_SERIALIZER);
  const value = codecFor(valueSnap);
  if (meta.backendStateType === 'PRIORITY_QUEUE') return { meta, kind: 'PRIORITY_QUEUE', value, element: value };
  const t = option(meta, OPTION_KEYED_STATE_TYPE) ?? 'UNKNOWN';
  const kind = (KINDS.has(t) ? t : 'UNKNOWN') as KeyedStateKind;
  const nsSnap = serializer(meta, NAMESPACE_SERIALIZER);
  const namespace = nsSnap ? codecFor(nsSnap) : opaqueCodec('<no namespace serializer>');
  const isList = valueSnap.className === CLS.list || valueSnap.className === CLS.arrayList;
  if (kind === 'LIST' && isList) {
    return { meta, kind, namespace, value, element: codecFor(valueSnap.nested[0]!) };
  }
  if (kind === 'MAP' && valueSnap.className === CLS.map) {
    return { meta, kind, namespace, value, userKey: codecFor(valueSnap.nested[0]!), element: codecFor(valueSnap.nested[1]!) };
  }
  // a MAP state needs a map serializer to split user key and value; without one the whole value is read
  return { meta, kind: kind === 'MAP' ? 'UNKNOWN' : kind, namespace, value, element: value };
}
