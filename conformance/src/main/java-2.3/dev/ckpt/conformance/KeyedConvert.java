package dev.ckpt.conformance;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Flink side of bench/convert.mjs: what a user does without ckpt to turn the keyed job's
 * RocksDB state (uid {@code keyed}, a NATIVE savepoint or a retained checkpoint written by
 * {@link KeyedBench}) into a canonical savepoint. Usage:
 * {@code keyed-convert spa|restore SRC OUT ROUNDS [KEYS PER_KEY]}; a warm-up conversion, then
 * ROUNDS timed ones in this JVM, each into a fresh directory under OUT (the last one is kept).
 * <ul>
 *   <li>{@code spa}: the State Processor API. {@code SavepointReader} on
 *   {@link EmbeddedRocksDBStateBackend} reads every key's states, a {@link KeyedStateBootstrapFunction}
 *   writes them again and {@code SavepointWriter.fromExistingSavepoint(…, HashMapStateBackend)}
 *   replaces the operator's state: a HashMap-backend canonical savepoint, in one job
 *   (STREAMING; BATCH with {@code -Dckpt.convert.mode=BATCH}).</li>
 *   <li>{@code restore}: the job itself ({@link KeyedBench#job}, KEYS and PER_KEY as generated)
 *   restored from SRC on the RocksDB backend in a running MiniCluster, then stop-with-savepoint in
 *   CANONICAL format; timed from the submission to the savepoint's completion (the cluster's
 *   start excluded).</li>
 * </ul>
 * Prints one JSON line: entries (every entry of the last output, read back with the State
 * Processor API on the HashMap backend and counted as {@link KeyedRead} counts), bytes and files
 * of the last output, min and median ms of the timed conversions. ROUNDS 0 (a fresh JVM whose
 * wall clock is measured from outside) converts once and does not read back (entries -1, NaN ms).
 */
public final class KeyedConvert {
    private KeyedConvert() {}

    /** STREAMING (the default) or BATCH (`-Dckpt.convert.mode=BATCH`) for the State Processor API job. */
    private static final RuntimeExecutionMode MODE = RuntimeExecutionMode.valueOf(System.getProperty("ckpt.convert.mode", "STREAMING"));
    private static final OperatorIdentifier KEYED = OperatorIdentifier.forUid("keyed");
    /** key, sum, values, byValue, max: one key's states, null where a state is empty. */
    private static final TypeInformation<Row> KEY_STATES = Types.ROW(
            Types.STRING, Types.LONG, Types.LIST(Types.LONG), Types.MAP(Types.LONG, Types.STRING), Types.LONG);

    public static void main(String[] args) throws Exception {
        boolean spa = args.length >= 4 && args[0].equals("spa");
        boolean restore = args.length == 6 && args[0].equals("restore");
        if (!spa && !restore) {
            System.err.println("usage: keyed-convert spa SRC OUT ROUNDS | keyed-convert restore SRC OUT ROUNDS KEYS PER_KEY");
            System.exit(2);
        }
        String src = Paths.get(args[1]).toAbsolutePath().normalize().toUri().toString();
        Path out = Paths.get(args[2]).toAbsolutePath().normalize();
        int rounds = Integer.parseInt(args[3]);
        Generate.deleteTree(out);
        Files.createDirectories(out);
        double[] ms = new double[rounds];
        Path last = null;
        Configuration conf = restore ? restoreConfig(out.resolve("checkpoints")) : null;
        try (MiniCluster mc = restore ? Generate.startCluster(conf) : null) {
            for (int r = -1; r < rounds; r++) {
                if (last != null) Generate.deleteTree(out.resolve("round-" + r)); // the previous round's
                Path dir = out.resolve("round-" + (r + 1));
                long t0 = System.nanoTime();
                if (spa) {
                    spaOnce(src, dir);
                    last = dir;
                } else {
                    last = restoreOnce(mc, conf, src, dir, Long.parseLong(args[4]), Long.parseLong(args[5]));
                }
                if (r >= 0) ms[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        if (restore) Generate.deleteTree(out.resolve("checkpoints"));
        // ROUNDS 0 (a fresh JVM timed from outside): the conversion alone, its output not read back
        long entries = rounds > 0 ? KeyedRead.readOnce(last.toUri().toString(), new HashMapStateBackend()) : -1;
        System.out.println(String.format(
                "{\"entries\":%d,\"bytes\":%d,\"files\":%d,\"dir\":\"%s\",\"convertMinMs\":%.3f,\"convertMedianMs\":%.3f}",
                entries, Generate.sizeOf(last), Generate.countFiles(last), last,
                rounds > 0 ? Bench.min(ms) : Double.NaN, rounds > 0 ? Bench.median(ms) : Double.NaN));
    }

    /** One State Processor API conversion of SRC into `dir`. */
    static void spaOnce(String src, Path dir) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.setRuntimeMode(MODE);
        DataStream<Row> states = SavepointReader.read(env, src, new EmbeddedRocksDBStateBackend())
                .readKeyedState(KEYED, new Extract(), Types.STRING, KEY_STATES);
        StateBootstrapTransformation<Row> t = OperatorTransformation.bootstrapWith(states)
                .keyBy(r -> (String) r.getField(0), Types.STRING)
                .transform(new Bootstrap());
        SavepointWriter.fromExistingSavepoint(env, src, new HashMapStateBackend())
                .removeOperator(KEYED)
                .withOperator(KEYED, t)
                .write(dir.toUri().toString());
        env.execute("keyed-convert");
    }

    /** The restored job's configuration: the RocksDB backend, checkpoints only by hand (none here). */
    static Configuration restoreConfig(Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        Generate.onlyManualCheckpoints(conf);
        conf.setString("restart-strategy.type", "none");
        return conf;
    }

    /**
     * Submits the bench job restored from SRC to the running cluster and stops it with a
     * canonical savepoint under `dir`; returns the savepoint's directory.
     */
    static Path restoreOnce(MiniCluster mc, Configuration conf, String src, Path dir, long keys, long perKey) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        KeyedBench.job(env, keys, perKey);
        JobID jobId = new JobID();
        JobGraph jg = env.getStreamGraph().getJobGraph(KeyedConvert.class.getClassLoader(), jobId);
        jg.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(src, false));
        mc.submitJob(jg).get();
        String target = dir.toUri().toString();
        // retried every 100 ms while the restored tasks are still being deployed or restoring
        // (on a loaded machine that can take longer than Generate.retry's budget)
        String sp = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (sp == null) {
            try {
                sp = mc.stopWithSavepoint(jobId, target, false, SavepointFormatType.CANONICAL).get(5, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline || mc.getJobStatus(jobId).get().isGloballyTerminalState()) throw e;
                Thread.sleep(100);
            }
        }
        Generate.waitForEnd(mc, jobId);
        return Paths.get(URI.create(sp.startsWith("file:") ? sp : "file:" + sp));
    }

    /** Every key's states as one row. */
    static final class Extract extends KeyedRead.JobStates<Row> {
        @Override
        public void readKey(String key, Context ctx, Collector<Row> out) throws Exception {
            List<Long> list = new ArrayList<>();
            Iterable<Long> vs = values.get();
            if (vs != null) for (Long v : vs) list.add(v);
            Map<Long, String> map = new HashMap<>();
            for (Map.Entry<Long, String> e : byValue.entries()) map.put(e.getKey(), e.getValue());
            out.collect(Row.of(key, sum.value(), list.isEmpty() ? null : list, map.isEmpty() ? null : map, max.get()));
        }
    }

    /**
     * Writes a key's row into the job's states (same descriptors). Nothing here may throw: the
     * State Processor API runs it in a thread of its own whose exceptions it drops (Flink 2.3
     * {@code BootstrapStreamTaskRunner}), and the savepoint is then written without this
     * operator's state — which is why every output is read back and counted.
     */
    static final class Bootstrap extends KeyedStateBootstrapFunction<String, Row> {
        private transient KeyedRead.States st;

        @Override
        public void open(OpenContext ctx) {
            st = new KeyedRead.States(getRuntimeContext());
        }

        @Override
        @SuppressWarnings("unchecked")
        public void processElement(Row r, Context ctx) throws Exception {
            Long s = (Long) r.getField(1);
            if (s != null) st.sum.update(s);
            List<Long> list = (List<Long>) r.getField(2);
            if (list != null) st.values.update(list);
            Map<Long, String> map = (Map<Long, String>) r.getField(3);
            if (map != null) st.byValue.putAll(map);
            Long m = (Long) r.getField(4);
            if (m != null) st.max.add(m);
        }
    }
}
