package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deterministic jobs behind the fixtures. Every job reads an unbounded, rate-limited FLIP-27
 * DataGeneratorSource (so the job never finishes and the source has coordinator state) and keeps
 * only the first N numbers; the stateful operators count what they processed in {@link #TICKS},
 * and the generator snapshots once the expected count is reached. State contents are therefore
 * fixed; byte layout (file names, UUIDs, hash-map order) is not.
 */
final class Jobs {
    private Jobs() {}

    /** Records processed by stateful operators in this JVM (MiniCluster runs in-process). */
    static final AtomicLong TICKS = new AtomicLong();

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * Restore mode (used by {@link Restore}): sources get new uids (their state is dropped with
     * allowNonRestoredState and they re-emit from 0), stateful operators report what they
     * restored to {@link #REPORTS} before processing anything, and {@link #rescale} overrides the
     * parallelism of the stateful operators.
     */
    static volatile boolean restoreMode = false;
    /**
     * Restore mode: the restored job's keyed states with (TRUE) or without (FALSE) TTL whatever the
     * scenario wrote; null = as the scenario. {@link #ttlOverrideApplied} says whether the job used it.
     */
    static volatile Boolean ttlOverride = null;
    static volatile boolean ttlOverrideApplied = false;
    static volatile int rescale = 0;
    static final java.util.concurrent.ConcurrentLinkedQueue<Report> REPORTS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** What one subtask of one operator found after restore. */
    static final class Report {
        final String operator;
        final int subtask;
        final Object contents;

        Report(String operator, int subtask, Object contents) {
            this.operator = operator;
            this.subtask = subtask;
            this.contents = contents;
        }
    }

    static int p(int configured) {
        return rescale > 0 ? rescale : configured;
    }

    /** What a job promises: ticks to wait for, and the contents a restore must find. */
    static final class Built {
        long expectedTicks;
        /** Extra wait after the ticks were reached (ms), e.g. to build up back-pressure. */
        long settleMillis = 300;
        ObjectNode expected = F.objectNode();
        boolean deterministic = true;
        /** Restore mode: operator (report name) -> number of subtask reports to wait for. */
        final java.util.Map<String, Integer> checks = new java.util.LinkedHashMap<>();
    }

    // ------------------------------------------------------------------------------- sources

    /** Numbers 0.. at `rate` per second, forever; keeps only v < n (unless n < 0). */
    static DataStream<Long> numbers(StreamExecutionEnvironment env, String uid, long n, double rate) {
        DataGeneratorSource<Long> src = new DataGeneratorSource<>(
                idx -> idx, Long.MAX_VALUE, RateLimiterStrategy.perSecond(rate), Types.LONG);
        String u = restoreMode ? uid + "-restore" : uid;
        DataStream<Long> s = env.fromSource(src, WatermarkStrategy.noWatermarks(), uid)
                .uid(u).name(uid).setParallelism(1);
        if (n < 0) return s;
        final long limit = n;
        return s.filter(v -> v < limit).uid(u + "-filter").name(uid + "-filter").setParallelism(1);
    }

    // --------------------------------------------------------------------- keyed state job

    static final int KEYED_N = 100;
    static final int KEYED_KEYS = 10;

    static String keyOf(long v) {
        return "k" + (v % KEYED_KEYS);
    }

    /** source -> filter -> keyBy -> keyed-state (Value/List/Map/Reducing) -> sink. */
    static Built keyedJob(StreamExecutionEnvironment env, int parallelism, int maxParallelism, boolean ttl) {
        var keyedStream = numbers(env, "source", KEYED_N, 2000).keyBy(Jobs::keyOf, Types.STRING);
        boolean restoreTtl = ttl;
        if (restoreMode && ttlOverride != null) {
            restoreTtl = ttlOverride;
            ttlOverrideApplied = true;
        }
        DataStream<Long> out = restoreMode
                ? keyedStream.transform("keyed-state", Types.LONG, new KeyedCheck<String>("keyed", restoreTtl))
                : keyedStream.process(new KeyedStates(ttl));
        ((org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator<Long>) out)
                .uid("keyed").name("keyed-state")
                .setParallelism(p(parallelism)).setMaxParallelism(maxParallelism)
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(p(parallelism));
        Built b = new Built();
        b.expectedTicks = KEYED_N;
        b.checks.put("keyed", p(parallelism));
        TreeMap<String, List<Long>> byKey = new TreeMap<>();
        for (long v = 0; v < KEYED_N; v++) byKey.computeIfAbsent(keyOf(v), k -> new ArrayList<>()).add(v);
        ObjectNode keyed = b.expected.putObject("keyed");
        keyed.put("operatorUid", "keyed");
        keyed.put("keyType", "String");
        keyed.put("ttl", ttl);
        ObjectNode states = keyed.putObject("states");
        states.put("sum", "ValueState<Long>: sum of the values of the key");
        states.put("values", "ListState<Long>: the values of the key in arrival order");
        states.put("byValue", "MapState<Long,String>: value -> \"v\" + value");
        states.put("max", "ReducingState<Long>: max of the values of the key");
        ObjectNode keys = keyed.putObject("keys");
        for (var e : byKey.entrySet()) {
            ObjectNode k = keys.putObject(e.getKey());
            long sum = 0, max = Long.MIN_VALUE;
            ArrayNode vals = k.putArray("values");
            ObjectNode map = F.objectNode();
            for (long v : e.getValue()) {
                sum += v;
                max = Math.max(max, v);
                vals.add(v);
                map.put(Long.toString(v), "v" + v);
            }
            k.put("sum", sum);
            k.set("byValue", map);
            k.put("max", max);
        }
        return b;
    }

    /** The four keyed state descriptors of the keyed job (shared by the job and the restore check). */
    static final class Descriptors {
        final ValueStateDescriptor<Long> sum = new ValueStateDescriptor<>("sum", Types.LONG);
        final ListStateDescriptor<Long> values = new ListStateDescriptor<>("values", Types.LONG);
        final MapStateDescriptor<Long, String> byValue = new MapStateDescriptor<>("byValue", Types.LONG, Types.STRING);
        final ReducingStateDescriptor<Long> max = new ReducingStateDescriptor<>("max", Math::max, Types.LONG);
        final ValueStateDescriptor<Long> count = new ValueStateDescriptor<>("count", Types.LONG);

        Descriptors(boolean ttl) {
            if (ttl) {
                StateTtlConfig cfg = StateTtlConfig.newBuilder(Duration.ofDays(3650))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
                sum.enableTimeToLive(cfg);
                values.enableTimeToLive(cfg);
                byValue.enableTimeToLive(cfg);
                max.enableTimeToLive(cfg);
            }
        }
    }

    static final class KeyedStates extends KeyedProcessFunction<String, Long, Long> {
        private final boolean ttl;
        private transient ValueState<Long> sum;
        private transient ListState<Long> values;
        private transient MapState<Long, String> byValue;
        private transient ReducingState<Long> max;

        KeyedStates(boolean ttl) {
            this.ttl = ttl;
        }

        @Override
        public void open(OpenContext ctx) {
            Descriptors d = new Descriptors(ttl);
            sum = getRuntimeContext().getState(d.sum);
            values = getRuntimeContext().getListState(d.values);
            byValue = getRuntimeContext().getMapState(d.byValue);
            max = getRuntimeContext().getReducingState(d.max);
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            Long old = sum.value();
            sum.update(old == null ? v : old + v);
            values.add(v);
            byValue.put(v, "v" + v);
            max.add(v);
            TICKS.incrementAndGet();
        }
    }

    /** Adds a bounded source (p=2) -> sink branch that finishes long before the snapshot. */
    static Built withFinishedBranch(StreamExecutionEnvironment env, Built b) {
        String u = restoreMode ? "bounded-restore" : "bounded";
        env.fromSequence(0, 9).uid(u).name("bounded").setParallelism(2)
                .sinkTo(new DiscardingSink<>()).uid(u + "-sink").name("bounded-sink").setParallelism(2);
        b.settleMillis = 2000;
        b.expected.put("finishedOperators", "bounded source and its sink (p=2) finished before the checkpoint");
        return b;
    }

    // ----------------------------------------------------------------- operator state job

    static final int OPSTATE_N = 60;
    static final int RULES_N = 5;

    static final MapStateDescriptor<String, Long> RULES =
            new MapStateDescriptor<>("rules", Types.STRING, Types.LONG);

    /**
     * source -> filter -> rebalance -> operator-state (split ListState + UnionListState, p=3)
     * -> broadcast (BroadcastState fed by a second source, p=2) -> sink.
     */
    static Built operatorStateJob(StreamExecutionEnvironment env) {
        DataStream<Long> main = numbers(env, "source", OPSTATE_N, 2000)
                .rebalance()
                .map(new ListStates("opstate")).uid("opstate").name("operator-state").setParallelism(p(3));
        DataStream<Long> rules = numbers(env, "rules-source", RULES_N, 100);
        main.connect(rules.broadcast(RULES))
                .process(new Rules()).uid("broadcast").name("broadcast-state").setParallelism(p(2))
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(p(2));
        Built b = new Built();
        b.expectedTicks = OPSTATE_N + RULES_N * 2L;
        b.checks.put("opstate", p(3));
        b.checks.put("broadcast", p(2));
        ObjectNode op = b.expected.putObject("operatorState");
        op.put("operatorUid", "opstate");
        op.put("parallelism", 3);
        ArrayNode split = op.putArray("split-list");
        for (long v = 0; v < OPSTATE_N; v++) split.add(v);
        op.put("split-list-note", "SPLIT_DISTRIBUTE ListState<Long>: every value exactly once over all subtasks, "
                + "subtask assignment and order per subtask are not fixed (rebalance)");
        ArrayNode union = op.putArray("union-list");
        for (int i = 0; i < 3; i++) union.add(i);
        op.put("union-list-note", "UNION ListState<Integer>: each subtask stores its own subtask index");
        ObjectNode bc = b.expected.putObject("broadcastState");
        bc.put("operatorUid", "broadcast");
        bc.put("parallelism", 2);
        bc.put("name", "rules");
        ObjectNode entries = bc.putObject("entries");
        for (long v = 0; v < RULES_N; v++) entries.put("r" + v, v);
        bc.put("note", "BROADCAST MapState<String,Long>: every subtask holds all entries");
        return b;
    }

    static final class ListStates extends RichMapFunction<Long, Long> implements CheckpointedFunction {
        private final String name;
        private transient List<Long> seen;

        ListStates(String name) {
            this.name = name;
        }

        private transient ListState<Long> split;
        private transient ListState<Integer> union;

        @Override
        public void initializeState(FunctionInitializationContext ctx) throws Exception {
            split = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<>("split-list", Types.LONG));
            union = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("union-list", Types.INT));
            seen = new ArrayList<>();
            if (ctx.isRestored()) for (Long v : split.get()) seen.add(v);
            if (restoreMode) {
                java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
                r.put("split-list", new ArrayList<>(seen));
                List<Integer> u = new ArrayList<>();
                for (Integer i : union.get()) u.add(i);
                r.put("union-list", u);
                REPORTS.add(new Report(name, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), r));
            }
        }

        @Override
        public Long map(Long v) {
            seen.add(v);
            TICKS.incrementAndGet();
            return v;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
            split.update(seen);
            union.update(List.of(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
        }
    }

    static final class Rules extends BroadcastProcessFunction<Long, Long, Long> {
        private transient boolean reported;

        @Override
        public void processElement(Long v, ReadOnlyContext ctx, Collector<Long> out) throws Exception {
            if (restoreMode && !reported) {
                reported = true;
                java.util.Map<String, Long> r = new java.util.TreeMap<>();
                for (java.util.Map.Entry<String, Long> e : ctx.getBroadcastState(RULES).immutableEntries()) {
                    r.put(e.getKey(), e.getValue());
                }
                REPORTS.add(new Report("broadcast", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), r));
            }
            out.collect(v);
        }

        @Override
        public void processBroadcastElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            ctx.getBroadcastState(RULES).put("r" + v, v);
            TICKS.incrementAndGet();
        }
    }

    // ------------------------------------------------------------------------- topology job

    static final int TOPO_N = 64;

    /**
     * Chained and unchained operators with parallelism 1..8, different max parallelism, and
     * operators with and without uid:
     * source(p1) -> filter -> double (no uid) => rebalance => wide (uid, p4, maxP 64, operator state)
     * => keyBy => keyed-8 (uid, p8, maxP 256, ValueState count) -> after-keyed (no uid, chained)
     * => unchained (uid, p8, chaining disabled) => sink (uid, p2, maxP 32).
     */
    static Built topologyJob(StreamExecutionEnvironment env) {
        DataStream<Long> wide = numbers(env, "source", TOPO_N, 2000)
                .map(v -> v * 2).returns(Types.LONG).name("double-no-uid").setParallelism(1)
                .rebalance()
                .map(new ListStates("wide")).uid("wide").name("wide").setParallelism(p(4)).setMaxParallelism(64);
        var byKey = wide.keyBy(v -> v % 16, Types.LONG);
        DataStream<Long> counted = restoreMode
                ? byKey.transform("keyed-8", Types.LONG, new KeyedCheck<Long>("keyed-8", false))
                : byKey.process(new Count());
        ((org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator<Long>) counted)
                .uid("keyed-8").name("keyed-8").setParallelism(p(8)).setMaxParallelism(256)
                .map(v -> v).returns(Types.LONG).name("after-keyed-no-uid").setParallelism(8)
                .map(v -> v).returns(Types.LONG).uid("unchained").name("unchained").setParallelism(8).disableChaining()
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(2).setMaxParallelism(32);
        Built b = new Built();
        b.expectedTicks = 2L * TOPO_N;
        b.checks.put("keyed-8", p(8));
        b.checks.put("wide", p(4));
        ObjectNode k = b.expected.putObject("keyed");
        k.put("operatorUid", "keyed-8");
        k.put("keyType", "Long");
        k.put("state", "ValueState<Long> count: records per key");
        ObjectNode keys = k.putObject("keys");
        TreeMap<Long, Long> counts = new TreeMap<>();
        for (long v = 0; v < TOPO_N; v++) counts.merge((v * 2) % 16, 1L, Long::sum);
        counts.forEach((key, c) -> keys.putObject(Long.toString(key)).put("count", c));
        ObjectNode op = b.expected.putObject("operatorState");
        op.put("operatorUid", "wide");
        op.put("parallelism", 4);
        ArrayNode split = op.putArray("split-list");
        for (long v = 0; v < TOPO_N; v++) split.add(v * 2);
        ArrayNode union = op.putArray("union-list");
        for (int i = 0; i < 4; i++) union.add(i);
        return b;
    }

    static final class Count extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            TICKS.incrementAndGet();
            out.collect(v);
        }
    }

    // ------------------------------------------------------------------------ unaligned job

    /**
     * Unbounded numbers at a high rate -> keyBy -> count (p2) => slow map (p1, 2 ms per record)
     * => sink: back-pressure fills the network buffers, so an unaligned checkpoint stores
     * in-flight data (channel state). Contents are not deterministic.
     */
    static Built unalignedJob(StreamExecutionEnvironment env) {
        numbers(env, "source", -1, 20000)
                .keyBy(v -> v % 4, Types.LONG)
                .process(new Count()).uid("keyed").name("keyed-count").setParallelism(2)
                .map(new Slow()).uid("slow").name("slow").setParallelism(1).disableChaining()
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(1);
        Built b = new Built();
        b.expectedTicks = 3000;
        b.settleMillis = 3000;
        b.deterministic = false;
        b.expected.put("note", "in-flight data and counts depend on timing; expect non-empty channel state");
        return b;
    }

    static final class Slow extends RichMapFunction<Long, Long> {
        @Override
        public Long map(Long v) throws Exception {
            Thread.sleep(2);
            return v;
        }
    }
}
