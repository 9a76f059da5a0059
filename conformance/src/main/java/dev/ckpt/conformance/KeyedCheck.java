package dev.ckpt.conformance;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Restore-mode stand-in for the keyed operators (same uid, so it receives their state): on open
 * it walks every key of its restored key groups and reports the values of the keyed job's states
 * ("sum"/"values"/"byValue"/"max") or of the topology job's "count" to {@link Jobs#REPORTS}.
 */
final class KeyedCheck<K> extends AbstractStreamOperator<Long> implements OneInputStreamOperator<Long, Long> {
    private final String name;
    private final boolean ttl;

    KeyedCheck(String name, boolean ttl) {
        this.name = name;
        this.ttl = ttl;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        Jobs.Descriptors d = new Jobs.Descriptors(ttl);
        boolean count = name.equals("keyed-8");
        String primary = count ? "count" : "sum";
        List<K> keys;
        try (var s = getKeyedStateBackend().<VoidNamespace>getKeys(primary, VoidNamespace.INSTANCE)) {
            keys = (List<K>) s.collect(Collectors.toList());
        }
        Map<String, Object> out = new TreeMap<>();
        for (K key : keys) {
            setCurrentKey(key);
            Map<String, Object> v = new LinkedHashMap<>();
            if (count) {
                ValueState<Long> c = getRuntimeContext().getState(d.count);
                v.put("count", c.value());
            } else {
                ValueState<Long> sum = getRuntimeContext().getState(d.sum);
                ListState<Long> values = getRuntimeContext().getListState(d.values);
                MapState<Long, String> byValue = getRuntimeContext().getMapState(d.byValue);
                ReducingState<Long> max = getRuntimeContext().getReducingState(d.max);
                List<Long> vals = new ArrayList<>();
                for (Long x : values.get()) vals.add(x);
                Map<String, String> m = new TreeMap<>((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
                for (Map.Entry<Long, String> e : byValue.entries()) m.put(Long.toString(e.getKey()), e.getValue());
                v.put("values", vals);
                v.put("sum", sum.value());
                v.put("byValue", m);
                v.put("max", max.get());
            }
            out.put(String.valueOf(key), v);
        }
        Jobs.REPORTS.add(new Jobs.Report(name, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), out));
    }

    @Override
    public void processElement(StreamRecord<Long> element) {
        output.collect(element);
    }
}
