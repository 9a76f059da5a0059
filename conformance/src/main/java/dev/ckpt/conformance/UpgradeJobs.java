package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Jobs whose state a Flink upgrade may not restore (for `ckpt upgrade-check`): state serialized by
 * Kryo (a class Flink cannot treat as a POJO, and a {@code java.util.List} typed by a TypeHint —
 * a generic type in 1.x). Restore mode reads the states back and reports them like the keyed job.
 */
final class UpgradeJobs {
    private UpgradeJobs() {}

    /** Not a POJO (final fields, no no-argument constructor): Flink serializes it with Kryo. */
    static final class Holder implements java.io.Serializable {
        final long total;
        final String label;

        Holder(long total, String label) {
            this.total = total;
            this.label = label;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("total", total);
            m.put("label", label);
            return m;
        }
    }

    static ValueStateDescriptor<Holder> holder() {
        return new ValueStateDescriptor<>("holder", TypeInformation.of(Holder.class));
    }

    static ValueStateDescriptor<List<Long>> history() {
        return new ValueStateDescriptor<>("history", TypeInformation.of(new TypeHint<List<Long>>() {}));
    }

    /**
     * source -> filter -> keyBy -> kryo-state (ValueState&lt;Holder&gt;, and with {@code history}
     * ValueState&lt;List&lt;Long&gt;&gt;) -> sink.
     */
    static Jobs.Built kryoKeyedJob(StreamExecutionEnvironment env, boolean history) {
        var keyed = Jobs.numbers(env, "source", Jobs.KEYED_N, 2000).keyBy(Jobs::keyOf, Types.STRING);
        var out = Jobs.restoreMode
                ? keyed.transform("kryo-state", Types.LONG, new KryoCheck(history))
                : keyed.process(new KryoStates(history)).returns(Types.LONG);
        out.uid("kryo").name("kryo-state").setParallelism(Jobs.p(2)).setMaxParallelism(128)
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(Jobs.p(2));
        Jobs.Built b = new Jobs.Built();
        b.expectedTicks = Jobs.KEYED_N;
        b.checks.put("kryo", Jobs.p(2));
        TreeMap<String, List<Long>> byKey = new TreeMap<>();
        for (long v = 0; v < Jobs.KEYED_N; v++) byKey.computeIfAbsent(Jobs.keyOf(v), k -> new ArrayList<>()).add(v);
        ObjectNode k = b.expected.putObject("kryo");
        k.put("operatorUid", "kryo");
        ObjectNode states = k.putObject("states");
        states.put("holder", "ValueState<Holder> (Kryo): total = sum of the key's values, label = the key");
        if (history) states.put("history", "ValueState<List<Long>> (TypeHint; Kryo in 1.x): the key's values in arrival order");
        ObjectNode keys = k.putObject("keys");
        for (var e : byKey.entrySet()) {
            ObjectNode o = keys.putObject(e.getKey());
            long sum = 0;
            ArrayNode h = history ? o.putArray("history") : Jobs.F.arrayNode(); // without history: not in the manifest
            for (long v : e.getValue()) {
                sum += v;
                h.add(v);
            }
            ObjectNode ho = o.putObject("holder");
            ho.put("total", sum);
            ho.put("label", e.getKey());
        }
        return b;
    }

    static final class KryoStates extends KeyedProcessFunction<String, Long, Long> {
        private final boolean withHistory;
        private transient ValueState<Holder> holder;
        private transient ValueState<List<Long>> history;

        KryoStates(boolean withHistory) {
            this.withHistory = withHistory;
        }

        @Override
        public void open(OpenContext ctx) {
            holder = getRuntimeContext().getState(holder());
            if (withHistory) history = getRuntimeContext().getState(history());
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            Holder h = holder.value();
            holder.update(new Holder((h == null ? 0 : h.total) + v, ctx.getCurrentKey()));
            if (withHistory) {
                List<Long> l = history.value();
                l = l == null ? new ArrayList<>() : new ArrayList<>(l);
                l.add(v);
                history.update(l);
            }
            Jobs.TICKS.incrementAndGet();
        }
    }

    /** Restore mode: reads every restored key's two states and reports them. */
    static final class KryoCheck extends AbstractStreamOperator<Long> implements OneInputStreamOperator<Long, Long> {
        private final boolean withHistory;

        KryoCheck(boolean withHistory) {
            this.withHistory = withHistory;
        }

        @Override
        public void open() throws Exception {
            super.open();
            List<String> keys;
            try (var s = getKeyedStateBackend().<VoidNamespace>getKeys("holder", VoidNamespace.INSTANCE)) {
                keys = s.map(String::valueOf).collect(Collectors.toList());
            }
            Map<String, Object> out = new TreeMap<>();
            for (String key : keys) {
                setCurrentKey(key);
                Map<String, Object> v = new LinkedHashMap<>();
                Holder h = getRuntimeContext().getState(holder()).value();
                if (withHistory) v.put("history", getRuntimeContext().getState(history()).value());
                v.put("holder", h == null ? null : h.json());
                out.put(key, v);
            }
            Jobs.REPORTS.add(new Jobs.Report("kryo", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), out));
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            output.collect(element);
        }
    }

    /** source -> filter -> rebalance -> kryo-opstate (operator ListState&lt;Holder&gt;, p=2) -> sink. */
    static Jobs.Built kryoOperatorJob(StreamExecutionEnvironment env) {
        Jobs.numbers(env, "source", Jobs.OPSTATE_N, 2000)
                .rebalance()
                .map(new HolderList()).uid("kryo-opstate").name("kryo-operator-state").setParallelism(Jobs.p(2))
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(Jobs.p(2));
        Jobs.Built b = new Jobs.Built();
        b.expectedTicks = Jobs.OPSTATE_N;
        b.checks.put("kryo-opstate", Jobs.p(2));
        ObjectNode o = b.expected.putObject("kryoOperatorState");
        o.put("operatorUid", "kryo-opstate");
        o.put("note", "SPLIT_DISTRIBUTE ListState<Holder> (Kryo): Holder(v, \"h\" + v) for every value, once over all subtasks");
        ArrayNode totals = o.putArray("totals");
        for (long v = 0; v < Jobs.OPSTATE_N; v++) totals.add(v);
        return b;
    }

    static final class HolderList extends RichMapFunction<Long, Long> implements CheckpointedFunction {
        private transient List<Holder> seen;
        private transient ListState<Holder> state;

        @Override
        public void initializeState(FunctionInitializationContext ctx) throws Exception {
            state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<>("holders", TypeInformation.of(Holder.class)));
            seen = new ArrayList<>();
            if (ctx.isRestored()) for (Holder h : state.get()) seen.add(h);
            if (Jobs.restoreMode) {
                List<Long> totals = new ArrayList<>();
                boolean labels = true;
                for (Holder h : seen) {
                    totals.add(h.total);
                    labels &= ("h" + h.total).equals(h.label);
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("totals", totals);
                r.put("labelsOk", labels);
                Jobs.REPORTS.add(new Jobs.Report("kryo-opstate", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), r));
            }
        }

        @Override
        public Long map(Long v) {
            seen.add(new Holder(v, "h" + v));
            Jobs.TICKS.incrementAndGet();
            return v;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
            state.update(seen);
        }
    }

    /**
     * source -> filter -> keyBy -> scala-state (ValueState of a Scala Option[Long], the Scala API's
     * serializer; written by 1.20 only) -> sink. Restore mode counts the restored keys.
     */
    static Jobs.Built scalaJob(StreamExecutionEnvironment env) {
        var keyed = Jobs.numbers(env, "source", Jobs.KEYED_N, 2000).keyBy(Jobs::keyOf, Types.STRING);
        var out = Jobs.restoreMode
                ? keyed.transform("scala-state", Types.LONG, new KeyCount("scala", "option"))
                : keyed.process(new ScalaStates()).returns(Types.LONG);
        out.uid("scala").name("scala-state").setParallelism(Jobs.p(2)).setMaxParallelism(128)
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(Jobs.p(2));
        Jobs.Built b = new Jobs.Built();
        b.expectedTicks = Jobs.KEYED_N;
        b.checks.put("scala", Jobs.p(2));
        ObjectNode k = b.expected.putObject("scala");
        k.put("operatorUid", "scala");
        k.put("option", "ValueState[Option[Long]] (flink-scala OptionTypeInfo): Some(sum of the key's values)");
        k.put("keys", Jobs.KEYED_KEYS);
        return b;
    }

    static final class ScalaStates extends KeyedProcessFunction<String, Long, Long> {
        private transient ValueState<Object> option;
        private transient java.util.Map<String, Long> sums;

        @Override
        public void open(OpenContext ctx) {
            option = getRuntimeContext().getState(new ValueStateDescriptor<>("option", FlinkLine.scalaOptionOfLong()));
            sums = new java.util.HashMap<>();
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            long sum = sums.merge(ctx.getCurrentKey(), v, Long::sum);
            option.update(FlinkLine.scalaSome(sum));
            Jobs.TICKS.incrementAndGet();
        }
    }

    /** Restore mode: counts the keys of one restored state without knowing its type. */
    static final class KeyCount extends AbstractStreamOperator<Long> implements OneInputStreamOperator<Long, Long> {
        private final String name;
        private final String state;

        KeyCount(String name, String state) {
            this.name = name;
            this.state = state;
        }

        @Override
        public void open() throws Exception {
            super.open();
            long n;
            try (var s = getKeyedStateBackend().<VoidNamespace>getKeys(state, VoidNamespace.INSTANCE)) {
                n = s.count();
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("keys", n);
            Jobs.REPORTS.add(new Jobs.Report(name, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), r));
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            output.collect(element);
        }
    }
}
