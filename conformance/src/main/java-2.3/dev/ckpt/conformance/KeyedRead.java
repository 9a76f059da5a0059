package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads every keyed-state entry of the keyed job's operator (uid {@code keyed}, the states of
 * {@link Jobs.Descriptors}) from a savepoint with Flink's State Processor API, for bench/. Usage:
 * {@code keyed-read SAVEPOINT_DIR ROUNDS [rocksdb]} (a savepoint or checkpoint directory; with
 * {@code rocksdb} restored into {@link EmbeddedRocksDBStateBackend}, else the HashMap backend); prints one JSON line with the entry count (a value or
 * reducing state, a non-empty list, each map entry: one entry, as ckpt counts them) and the min
 * and median milliseconds of a read inside this JVM (JVM start excluded).
 *
 * <p>{@code keyed-read entries rocksdb|hashmap DIR...} prints instead every entry the State
 * Processor API reads from each directory (one JVM for all), one JSON line each, in the shape of
 * {@code ckpt dump-state} plus {@code input} (the directory as given): {@code state},
 * {@code key}, {@code namespace} (null: the reader function sees the void namespace), {@code value}
 * (longs as decimal strings, a list as an array of them) and, per map entry, {@code userKey}.
 */
public final class KeyedRead {
    private KeyedRead() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("entries")) {
            boolean rocks = args[1].equals("rocksdb");
            for (int i = 2; i < args.length; i++) printEntries(args[i], rocks ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
            return;
        }
        String path = args[0];
        boolean rocksdb = args.length > 2 && args[2].equals("rocksdb");
        int rounds = Integer.parseInt(args[1]);
        double[] ms = new double[rounds];
        long entries = 0;
        for (int r = -1; r < rounds; r++) {
            long t0 = System.nanoTime();
            entries = readOnce(path, rocksdb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
            if (r >= 0) ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.println(String.format(
                "{\"entries\":%d,\"readMinMs\":%.3f,\"readMedianMs\":%.3f}",
                entries, Bench.min(ms), Bench.median(ms)));
    }

    static long readOnce(String path, StateBackend backend) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointReader savepoint = SavepointReader.read(env, path, backend);
        long n = 0;
        try (CloseableIterator<Long> it = savepoint
                .readKeyedState(OperatorIdentifier.forUid("keyed"), new Counter())
                .executeAndCollect()) {
            while (it.hasNext()) n += it.next();
        }
        return n;
    }

    static void printEntries(String path, StateBackend backend) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointReader savepoint = SavepointReader.read(env, path, backend);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (CloseableIterator<String> it = savepoint
                .readKeyedState(OperatorIdentifier.forUid("keyed"), new Entries())
                .executeAndCollect()) {
            String input = MAPPER.writeValueAsString(path);
            while (it.hasNext()) out.println("{\"input\":" + input + "," + it.next().substring(1));
        }
        out.flush();
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The keyed job's states (Jobs.Descriptors without TTL), opened for a reader function. */
    abstract static class JobStates<OUT> extends KeyedStateReaderFunction<String, OUT> {
        transient ValueState<Long> sum;
        transient ListState<Long> values;
        transient MapState<Long, String> byValue;
        transient ReducingState<Long> max;
        transient ValueState<Long> count;

        @Override
        public void open(OpenContext ctx) {
            States s = new States(getRuntimeContext());
            sum = s.sum;
            values = s.values;
            byValue = s.byValue;
            max = s.max;
            count = s.count;
        }
    }

    /** The keyed job's states (Jobs.Descriptors without TTL) in one runtime context. */
    static final class States {
        final ValueState<Long> sum;
        final ListState<Long> values;
        final MapState<Long, String> byValue;
        final ReducingState<Long> max;
        final ValueState<Long> count;

        States(RuntimeContext rc) {
            Jobs.Descriptors d = new Jobs.Descriptors(false);
            sum = rc.getState(d.sum);
            values = rc.getListState(d.values);
            byValue = rc.getMapState(d.byValue);
            max = rc.getReducingState(d.max);
            count = rc.getState(d.count);
        }
    }

    /** Emits every entry of the job's states as a JSON line. */
    static final class Entries extends JobStates<String> {

        private static ObjectNode entry(String state, String key) {
            ObjectNode o = MAPPER.createObjectNode();
            o.put("state", state);
            o.put("key", key);
            o.putNull("namespace");
            return o;
        }

        @Override
        public void readKey(String key, Context ctx, Collector<String> out) throws Exception {
            if (sum.value() != null) out.collect(entry("sum", key).put("value", sum.value().toString()).toString());
            Iterable<Long> list = values.get();
            if (list != null && list.iterator().hasNext()) {
                ObjectNode o = entry("values", key);
                ArrayNode a = o.putArray("value");
                for (Long v : list) a.add(v.toString());
                out.collect(o.toString());
            }
            for (Map.Entry<Long, String> e : byValue.entries()) {
                out.collect(entry("byValue", key).put("userKey", e.getKey().toString()).put("value", e.getValue()).toString());
            }
            if (max.get() != null) out.collect(entry("max", key).put("value", max.get().toString()).toString());
            if (count.value() != null) out.collect(entry("count", key).put("value", count.value().toString()).toString());
        }
    }

    /** Emits, per key, how many entries its states hold. */
    static final class Counter extends JobStates<Long> {

        @Override
        public void readKey(String key, Context ctx, Collector<Long> out) throws Exception {
            long n = 0;
            if (sum.value() != null) n++;
            if (values.get() != null && values.get().iterator().hasNext()) n++;
            for (Map.Entry<Long, String> ignored : byValue.entries()) n++;
            if (max.get() != null) n++;
            out.collect(n);
        }
    }
}
