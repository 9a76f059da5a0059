package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.StringUtils;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Fixture generator: runs each scenario's job in a MiniCluster of this build's Flink version and
 * writes the snapshot plus a manifest.json to {@code <out>/<flink-version>/<scenario>/}.
 *
 * <pre>
 *   generate --out DIR [--only a,b] [--list]
 * </pre>
 */
public final class Generate {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** One fixture: how to configure, which job, what to snapshot. */
    static final class Scenario {
        final String name;
        final String description;
        String backend = "hashmap";
        String snapshot = "savepoint"; // savepoint | checkpoint
        SavepointFormatType format = SavepointFormatType.CANONICAL;
        boolean incremental = false;
        boolean stop = false; // stop-with-savepoint instead of savepoint + cancel
        boolean full = false; // checkpoint triggered with CheckpointType.FULL
        long settleMillis = -1; // overrides the job's settle time when >= 0
        boolean twice = false; // take a first checkpoint (final checkpoint of finishing tasks), keep the second
        String feature = null; // FlinkLine.supports(feature)
        final Map<String, String> conf = new LinkedHashMap<>();
        BiFunction<StreamExecutionEnvironment, Scenario, Jobs.Built> job =
                (env, s) -> Jobs.keyedJob(env, 2, 128, false);

        Scenario(String name, String description) {
            this.name = name;
            this.description = description;
        }

        Scenario backend(String b) { backend = b; return this; }
        Scenario checkpoint() { snapshot = "checkpoint"; return this; }
        Scenario twice() { twice = true; return this; }
        Scenario settle(long ms) { settleMillis = ms; return this; }
        Scenario stop() { snapshot = "savepoint"; stop = true; return this; }
        Scenario fullCheckpoint() { snapshot = "checkpoint"; full = true; return this; }
        Scenario nativeFormat() { format = SavepointFormatType.NATIVE; return this; }
        Scenario incremental() { incremental = true; return this; }
        Scenario conf(String k, String v) { conf.put(k, v); return this; }
        Scenario feature(String f) { feature = f; return this; }
        Scenario job(BiFunction<StreamExecutionEnvironment, Scenario, Jobs.Built> j) { job = j; return this; }
    }

    static List<Scenario> scenarios() {
        List<Scenario> l = new ArrayList<>();
        l.add(new Scenario("keyed-hashmap-savepoint",
                "Keyed Value/List/Map/Reducing state, HashMap backend, canonical savepoint, state in files"));
        l.add(new Scenario("keyed-hashmap-checkpoint",
                "Same job, retained (externalized) checkpoint of the HashMap backend").checkpoint());
        l.add(new Scenario("keyed-rocksdb-full-checkpoint",
                "Same job, RocksDB backend, full (non-incremental) retained checkpoint").backend("rocksdb").checkpoint());
        l.add(new Scenario("keyed-rocksdb-incremental-checkpoint",
                "Same job, RocksDB backend, incremental retained checkpoint").backend("rocksdb").checkpoint().incremental());
        l.add(new Scenario("keyed-rocksdb-native-savepoint",
                "Same job, RocksDB backend, NATIVE format savepoint").backend("rocksdb").nativeFormat().incremental());
        l.add(new Scenario("keyed-rocksdb-canonical-savepoint",
                "Same job, RocksDB backend, canonical savepoint").backend("rocksdb"));
        l.add(new Scenario("operator-state-savepoint",
                "Operator ListState (split), UnionListState and BroadcastState; two FLIP-27 sources; canonical savepoint")
                .job((env, s) -> Jobs.operatorStateJob(env)));
        l.add(new Scenario("topology-savepoint",
                "Chained/unchained operators, parallelism 1..8, max parallelism 32/64/128/256, uid and no-uid operators")
                .job((env, s) -> Jobs.topologyJob(env)));
        l.add(new Scenario("inline-state-savepoint",
                "Keyed job with the default memory threshold (20 KiB): all state inlined in _metadata (byteStream)")
                .conf(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD.key(), "20kb"));
        l.add(new Scenario("ttl-state-savepoint",
                "Keyed job with TTL enabled on all four states (10 years), canonical savepoint")
                .job((env, s) -> Jobs.keyedJob(env, 2, 128, true)));
        l.add(new Scenario("keyed-p1-maxp-1-savepoint",
                "Keyed job with parallelism 1 and max parallelism 1")
                .job((env, s) -> Jobs.keyedJob(env, 1, 1, false)));
        l.add(new Scenario("unaligned-checkpoint",
                "Unaligned checkpoint under back-pressure: in-flight input/output channel state")
                .checkpoint()
                .conf(CheckpointingOptions.ENABLE_UNALIGNED.key(), "true")
                .conf(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT.key(), "0 ms")
                .conf(CheckpointingOptions.FORCE_UNALIGNED.key(), "true")
                .job((env, s) -> Jobs.unalignedJob(env)));
        l.add(new Scenario("changelog-checkpoint",
                "Keyed job on the changelog state backend (HashMap inside), retained checkpoint")
                .checkpoint()
                .conf("state.changelog.enabled", "true")
                .conf("state.changelog.storage", "filesystem")
                .conf("state.changelog.periodic-materialize.enabled", "false"));
        l.add(new Scenario("file-merging-checkpoint",
                "Keyed job with checkpoint file merging (FLIP-306), retained checkpoint")
                .checkpoint()
                .conf(CheckpointingOptions.FILE_MERGING_ENABLED.key(), "true"));
        l.add(new Scenario("keyed-hashmap-native-savepoint",
                "Keyed job, HashMap backend, NATIVE format savepoint").nativeFormat());
        l.add(new Scenario("stop-with-savepoint",
                "Keyed job stopped with a savepoint (stop-with-savepoint without drain: SUSPEND type in the trailer)")
                .stop());
        l.add(new Scenario("rocksdb-full-checkpoint-of-incremental",
                "RocksDB incremental backend, checkpoint triggered as FULL (CheckpointType FULL_CHECKPOINT in the trailer)")
                .backend("rocksdb").incremental().fullCheckpoint());
        l.add(new Scenario("finished-operators-checkpoint",
                "Keyed job plus a bounded source (p=2) that has finished: fully finished operators in a checkpoint")
                .checkpoint()
                .twice()
                .job((env, s) -> Jobs.withFinishedBranch(env, Jobs.keyedJob(env, 2, 128, false))));
        l.add(new Scenario("rocksdb-incremental-second-checkpoint",
                "RocksDB incremental: the second of two checkpoints, whose shared files were uploaded by the first")
                .backend("rocksdb").checkpoint().incremental().twice());
        l.add(new Scenario("changelog-materialized-checkpoint",
                "Changelog backend (HashMap inside) with periodic materialization (1 s) done before the checkpoint: "
                        + "materialized and non-materialized parts")
                .checkpoint().twice().settle(3000)
                .conf("state.changelog.enabled", "true")
                .conf("state.changelog.storage", "filesystem")
                .conf("state.changelog.periodic-materialize.enabled", "true")
                .conf("state.changelog.periodic-materialize.interval", "1 s"));
        l.add(new Scenario("sql-hashmap-savepoint",
                "Flink SQL job (group/distinct aggregate, deduplicate, regular/interval/temporal join, top-N, window "
                        + "aggregate), HashMap backend, canonical savepoint")
                .job((env, s) -> SqlJobs.sqlJob(env)));
        l.add(new Scenario("sql-ttl-hashmap-savepoint",
                "Same SQL job with state TTL (table.exec.state.ttl = 10 days): every SQL state value TTL-wrapped")
                .conf("table.exec.state.ttl", "10 d")
                .job((env, s) -> SqlJobs.sqlJob(env)));
        l.add(new Scenario("sql-rocksdb-incremental-checkpoint",
                "Same SQL job, RocksDB backend, incremental retained checkpoint")
                .backend("rocksdb").checkpoint().incremental()
                .job((env, s) -> SqlJobs.sqlJob(env)));
        l.add(new Scenario("sql-types-savepoint",
                "SQL job keeping CHAR/BINARY/VARBINARY, TIMESTAMP(9), TIMESTAMP_LTZ(6/9), DECIMAL(38, 10), intervals, "
                        + "ARRAY<ROW>, MAP<_, ARRAY>, MULTISET and RAW in a deduplication and a group aggregate, HashMap, canonical savepoint")
                .job((env, s) -> SqlTypesJobs.sqlTypesJob(env)));
        l.add(new Scenario("sql-types-rocksdb-native-savepoint",
                "The SQL types job on RocksDB, NATIVE savepoint")
                .backend("rocksdb").nativeFormat().incremental()
                .job((env, s) -> SqlTypesJobs.sqlTypesJob(env)));
        l.add(new Scenario("keyed-forst-incremental-checkpoint",
                "Keyed job on the ForSt backend (Flink 2.x), incremental retained checkpoint")
                .backend("forst").checkpoint().incremental().feature("forst"));
        l.add(new Scenario("kryo-state-savepoint",
                "Keyed ValueState<Holder> (a non-POJO class: Kryo) and ValueState<List<Long>> (TypeHint), HashMap, canonical savepoint")
                .job((env, s) -> UpgradeJobs.kryoKeyedJob(env, true)));
        l.add(new Scenario("kryo-rocksdb-native-savepoint",
                "The Kryo keyed job on RocksDB, NATIVE savepoint")
                .backend("rocksdb").nativeFormat().incremental()
                .job((env, s) -> UpgradeJobs.kryoKeyedJob(env, true)));
        l.add(new Scenario("kryo-value-savepoint",
                "Keyed ValueState<Holder> only (Kryo, no collection), HashMap, canonical savepoint")
                .job((env, s) -> UpgradeJobs.kryoKeyedJob(env, false)));
        l.add(new Scenario("kryo-value-rocksdb-native-savepoint",
                "Keyed ValueState<Holder> only (Kryo, no collection), RocksDB, NATIVE savepoint")
                .backend("rocksdb").nativeFormat().incremental()
                .job((env, s) -> UpgradeJobs.kryoKeyedJob(env, false)));
        l.add(new Scenario("kryo-operator-state-savepoint",
                "Operator ListState<Holder> (Kryo), canonical savepoint")
                .job((env, s) -> UpgradeJobs.kryoOperatorJob(env)));
        l.add(new Scenario("scala-option-savepoint",
                "Keyed ValueState of a Scala Option[Long] (flink-scala's OptionTypeInfo), canonical savepoint; 1.20 only")
                .feature("scala")
                .job((env, s) -> UpgradeJobs.scalaJob(env)));
        return l;
    }

    public static void main(String[] args) throws Exception {
        String out = null;
        List<String> only = null;
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out": out = args[++i]; break;
                case "--only": only = List.of(args[++i].split(",")); break;
                case "--list": list = true; break;
                default:
                    System.err.println("usage: generate --out DIR [--only a,b] [--list]");
                    System.exit(2);
            }
        }
        List<Scenario> all = scenarios();
        if (list) {
            for (Scenario s : all) System.out.println(s.name + "\t" + s.description);
            return;
        }
        if (out == null) {
            System.err.println("generate: --out DIR is required");
            System.exit(2);
        }
        String version = EnvironmentInformation.getVersion();
        Path versionDir = Paths.get(out).toAbsolutePath().normalize().resolve(version);
        Files.createDirectories(versionDir);
        int failed = 0;
        for (Scenario s : all) {
            if (only != null && !only.contains(s.name)) continue;
            if (s.feature != null && !FlinkLine.supports(s.feature)) {
                System.err.println("[" + version + "] skip " + s.name + " (needs " + s.feature + ")");
                continue;
            }
            long t0 = System.nanoTime();
            try {
                ObjectNode m = run(s, versionDir.resolve(s.name), version);
                System.err.printf("[%s] %-40s ok  V%s  %s  %d ms%n", version, s.name,
                        m.get("metadataVersion").asText(), m.get("metadataPath").asText(),
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (Throwable e) {
                failed++;
                System.err.printf("[%s] %-40s FAILED: %s%n", version, s.name, Dump.errorText(e));
                e.printStackTrace();
            }
        }
        if (failed > 0) {
            System.err.println("generate: " + failed + " scenario(s) failed");
            System.exit(1);
        }
    }

    static JobID fixedJobId(String version, String scenario) throws Exception {
        byte[] d = MessageDigest.getInstance("MD5").digest((version + "/" + scenario).getBytes(StandardCharsets.UTF_8));
        return new JobID(d);
    }

    static Configuration jobConfig(Scenario s, Path dir, JobID jobId) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, s.backend);
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, s.incremental);
        c.set(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD, MemorySize.parse("0b"));
        if (s.snapshot.equals("checkpoint")) {
            // the generator triggers one by hand
            onlyManualCheckpoints(c);
            c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if ("true".equals(s.conf.get("state.changelog.enabled"))) {
            c.setString("state.changelog.dstl.dfs.base-path", dir.resolve("changelog").toUri().toString());
        }
        c.setString("restart-strategy.type", "none");
        c.setString("pipeline.object-reuse", "false");
        for (Map.Entry<String, String> e : s.conf.entrySet()) c.setString(e.getKey(), e.getValue());
        return c;
    }

    /**
     * Periodic checkpoints that effectively never fire, so only checkpoints triggered by hand exist.
     * The interval alone is not enough: since FLINK-38939 (Flink 2.3) the checkpoint scheduler,
     * when it is restarted (a job restart after a task failure), waits only the minimum pause
     * before its next checkpoint, so the minimum pause is raised to the interval too. Triggers by
     * hand are not periodic and ignore the minimum pause.
     */
    static void onlyManualCheckpoints(Configuration c) {
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofDays(1));
        c.setString("execution.checkpointing.min-pause", "1 d");
    }

    static MiniCluster startCluster(Configuration jobConf) throws Exception {
        return startCluster(jobConf, 8);
    }

    static MiniCluster startCluster(Configuration jobConf, int slots) throws Exception {
        Configuration c = new Configuration(jobConf);
        c.set(RestOptions.BIND_PORT, "0");
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        MiniCluster mc = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(c).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        mc.start();
        return mc;
    }

    static ObjectNode run(Scenario s, Path dir, String version) throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        JobID jobId = fixedJobId(version, s.name);
        Configuration conf = jobConfig(s, dir, jobId);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Jobs.Built built = s.job.apply(env, s);
        StreamGraph sg = env.getStreamGraph();
        ArrayNode operators = describeOperators(sg);
        JobGraph jg = sg.getJobGraph(Generate.class.getClassLoader(), jobId);
        ArrayNode vertices = describeVertices(jg);

        Jobs.TICKS.set(0);
        String pointer;
        try (MiniCluster mc = startCluster(conf)) {
            mc.submitJob(jg).get(60, TimeUnit.SECONDS);
            waitForTicks(mc, jobId, built.expectedTicks, built.deterministic);
            Thread.sleep(s.settleMillis >= 0 ? s.settleMillis : built.settleMillis);
            if (s.snapshot.equals("savepoint")) {
                Path tmp = dir.resolve(".tmp");
                String sp = s.stop
                        ? retry(() -> mc.stopWithSavepoint(jobId, tmp.toUri().toString(), false, s.format))
                        : retry(() -> mc.triggerSavepoint(jobId, tmp.toUri().toString(), true, s.format));
                waitForEnd(mc, jobId);
                // relocate: move the savepoint-xxxx directory's contents into the scenario dir
                Path spDir = Paths.get(URI.create(sp.startsWith("file:") ? sp : "file:" + sp));
                try (Stream<Path> st = Files.list(spDir)) {
                    for (Path p : (Iterable<Path>) st::iterator) {
                        Files.move(p, dir.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
                    }
                }
                deleteTree(tmp);
                pointer = sp;
            } else {
                if (s.twice) {
                    retry(() -> mc.triggerCheckpoint(jobId));
                    Thread.sleep(2000);
                }
                pointer = s.full
                        ? retry(() -> mc.triggerCheckpoint(jobId, org.apache.flink.core.execution.CheckpointType.FULL)
                                .thenApply(id -> dir.resolve(jobId.toHexString()).resolve("chk-" + id).toUri().toString()))
                        : retry(() -> mc.triggerCheckpoint(jobId));
                mc.cancelJob(jobId).get(60, TimeUnit.SECONDS);
                waitForEnd(mc, jobId);
            }
        }

        Path metadata;
        String originalPointer = pointer;
        if (s.snapshot.equals("savepoint")) {
            metadata = dir.resolve("_metadata");
        } else {
            Path chk = Paths.get(URI.create(pointer.startsWith("file:") ? pointer : "file:" + pointer));
            metadata = chk.resolve("_metadata");
        }
        if (!Files.isRegularFile(metadata)) throw new IllegalStateException("no _metadata at " + metadata);

        // verify with Flink's own loader, and check that every referenced file exists
        ObjectNode dump = Dump.dumpFile(metadata.toFile());
        List<String> missing = new ArrayList<>();
        checkFiles(dump, metadata.getParent(), missing);
        if (!missing.isEmpty()) throw new IllegalStateException("missing state files: " + missing);

        ObjectNode m = F.objectNode();
        m.put("scenario", s.name);
        m.put("description", s.description);
        m.put("flinkVersion", version);
        m.put("flinkLine", FlinkLine.LINE);
        m.put("metadataVersion", dump.get("version").asInt());
        m.put("backend", s.backend + ("true".equals(s.conf.get("state.changelog.enabled")) ? "+changelog" : ""));
        m.put("snapshot", s.snapshot);
        m.put("format", s.snapshot.equals("savepoint") ? s.format.name().toLowerCase() : "native");
        m.put("incremental", s.incremental);
        if (s.stop) m.put("stopWithSavepoint", true);
        if (s.full) m.put("checkpointType", "FULL");
        m.put("checkpointId", dump.get("checkpointId").asText());
        m.put("metadataPath", dir.relativize(metadata).toString());
        m.put("jobId", jobId.toHexString());
        // the prefix of absolute paths in this fixture's handles, in Flink's Path form (file:/...)
        m.put("generatedIn", new org.apache.flink.core.fs.Path(dir.toUri()).toString());
        m.put("originalPointer", originalPointer);
        m.put("relocated", s.snapshot.equals("savepoint"));
        ObjectNode cfg = m.putObject("config");
        for (String k : new TreeMap<>(conf.toMap()).keySet()) cfg.put(k, conf.toMap().get(k));
        m.set("operators", operators);
        m.set("jobVertices", vertices);
        m.put("deterministicContents", built.deterministic);
        m.set("expected", built.expected);
        m.put("files", countFiles(dir));
        m.put("bytes", sizeOf(dir));
        Files.writeString(dir.resolve("manifest.json"), MAPPER.writeValueAsString(m) + "\n");
        return m;
    }

    // ---------------------------------------------------------------------------- helpers

    interface Trigger {
        CompletableFuture<String> call() throws Exception;
    }

    /**
     * Retries while tasks are still being deployed ("not all required tasks are running"): up to
     * a minute, as a loaded machine (CI, several runs at once) can take that long to deploy.
     */
    static String retry(Trigger t) throws Exception {
        Exception last = null;
        for (int i = 0; i < 120; i++) {
            try {
                return t.call().get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw last;
    }

    /** Waits until the stateful operators processed `expected` records (exactly, if `exact`). */
    static void waitForTicks(MiniCluster mc, JobID jobId, long expected, boolean exact) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (Jobs.TICKS.get() < expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timeout: " + Jobs.TICKS.get() + " of " + expected + " records, job "
                        + mc.getJobStatus(jobId).get());
            }
            if (mc.getJobStatus(jobId).get().isGloballyTerminalState()) {
                JobResult r = mc.requestJobResult(jobId).get();
                throw new IllegalStateException("job ended early: " + (r.isSuccess() ? "finished" : "failed"),
                        r.getSerializedThrowable().map(t -> (Throwable) t).orElse(null));
            }
            Thread.sleep(50);
        }
        if (exact && Jobs.TICKS.get() > expected) {
            throw new IllegalStateException("more records than expected: " + Jobs.TICKS.get() + " > " + expected);
        }
    }

    static void waitForEnd(MiniCluster mc, JobID jobId) throws Exception {
        mc.requestJobResult(jobId).get(120, TimeUnit.SECONDS);
    }

    static ArrayNode describeOperators(StreamGraph sg) {
        Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(sg);
        ArrayNode a = F.arrayNode();
        List<StreamNode> nodes = new ArrayList<>(sg.getStreamNodes());
        nodes.sort(Comparator.comparingInt(StreamNode::getId));
        for (StreamNode n : nodes) {
            ObjectNode o = a.addObject();
            o.put("name", n.getOperatorName());
            if (n.getTransformationUID() != null) o.put("uid", n.getTransformationUID());
            o.put("operatorId", StringUtils.byteToHexString(hashes.get(n.getId())));
            o.put("parallelism", n.getParallelism());
            o.put("maxParallelism", (Integer) Dump.callHidden(n, "getMaxParallelism"));
        }
        return a;
    }

    static ArrayNode describeVertices(JobGraph jg) {
        ArrayNode a = F.arrayNode();
        for (JobVertex v : jg.getVerticesSortedTopologicallyFromSources()) {
            ObjectNode o = a.addObject();
            o.put("name", v.getName());
            o.put("parallelism", v.getParallelism());
            o.put("maxParallelism", v.getMaxParallelism());
            ArrayNode ids = o.putArray("operatorIds");
            // Flink lists the chain's operators tail first; print head first
            List<OperatorIDPair> pairs = new ArrayList<>(v.getOperatorIDs());
            java.util.Collections.reverse(pairs);
            for (OperatorIDPair p : pairs) ids.add(p.getGeneratedOperatorID().toHexString());
            ArrayNode inputs = o.putArray("inputs");
            for (org.apache.flink.runtime.jobgraph.JobEdge e : v.getInputs()) {
                ObjectNode in = inputs.addObject();
                in.put("from", e.getSource().getProducer().getName());
                in.put("pattern", e.getDistributionPattern().name());
                in.put("upstreamMapper", e.getUpstreamSubtaskStateMapper().name());
                in.put("downstreamMapper", e.getDownstreamSubtaskStateMapper().name());
                if (e.getShipStrategyName() != null) in.put("shipStrategy", e.getShipStrategyName());
            }
        }
        return a;
    }

    /** Resolve every file a handle names (relative, absolute, segment, changelog) and check it exists. */
    static void checkFiles(JsonNode n, Path metaDir, List<String> missing) {
        if (n.isObject()) {
            String kind = n.path("kind").asText("");
            String p = null;
            if (kind.equals("relativeFile")) p = metaDir.resolve(n.get("relativePath").asText()).toString();
            else if (kind.equals("file")) p = n.get("path").asText();
            else if (kind.equals("segmentFile")) p = n.get("physicalPath").asText();
            if (p != null) {
                Path f = p.startsWith("file:") ? Paths.get(URI.create(p.replace("file:/", "file:///").replace("file:////", "file:///"))) : Paths.get(p);
                if (!Files.isRegularFile(f)) missing.add(p);
            }
            n.fields().forEachRemaining(e -> checkFiles(e.getValue(), metaDir, missing));
        } else if (n.isArray()) {
            for (JsonNode c : n) checkFiles(c, metaDir, missing);
        }
    }

    static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static long countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }
}
