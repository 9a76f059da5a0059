package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.curator.test.TestingServer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointIDCounter;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStore;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.checkpoint.ZooKeeperCheckpointRecoveryFactory;
import org.apache.flink.runtime.highavailability.zookeeper.CuratorFrameworkWithUnhandledErrorListener;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.SharedStateRegistry;
import org.apache.flink.runtime.util.ZooKeeperUtils;
import org.apache.flink.shaded.curator5.org.apache.curator.framework.CuratorFramework;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * ZooKeeper HA oracle: starts a ZooKeeper test server, runs a keyed job in a MiniCluster with
 * ZooKeeper HA and an HA storage directory, takes checkpoints, stops the cluster without
 * cleaning HA data (a JobManager loss) and reports, as one JSON line on stdout, what Flink's
 * own HA classes read from ZooKeeper (checkpoint ids in the store, external pointers, counter).
 * Then, for every line {@code failover} on stdin, it starts a new MiniCluster against the same
 * ZooKeeper (which recovers the job from HA) and reports which checkpoint the restore used.
 * ZooKeeper keeps running until stdin closes. {@code failover-check} also reports whether the
 * restored job runs (a new checkpoint completes) or fails; {@code hold} keeps a recovered job running until {@code release};
 * {@code read} reports what Flink's HA classes
 * read from ZooKeeper now; {@code read-configmap FILE} reads a
 * ConfigMap export with flink-kubernetes' classes (2.3 line). {@code savepoint DIR} takes a
 * canonical savepoint of the recovered job; {@code restore-by-path POINTER} restores the job from
 * a snapshot by path (as {@code -s}) in a fresh HA cluster id and reports the completedCheckpoint
 * file Flink wrote for it.
 *
 * <pre>
 *   ha --work DIR [--checkpoints N] [--retained K] [--backend hashmap|rocksdb|forst] [--incremental] [--fixtures DIR]
 * </pre>
 *
 * With {@code --fixtures} it does not wait on stdin: it runs through the failover, writes the
 * raw ZooKeeper nodes, the HA files, a Kubernetes ConfigMap built from the same handles (only
 * when this line's build has flink-kubernetes) and Flink's report into DIR, and exits.
 */
final class Ha {
    private Ha() {}

    static final String ROOT = "/flink";
    static final String CLUSTER_ID = "ckpt-ha";
    static final JobID JOB_ID = JobID.fromHexString("c0ffee00000000000000000000000042");

    public static void main(String[] args) throws Exception {
        Path work = null;
        Path fixtures = null;
        int checkpoints = 4;
        int retained = 3;
        String backend = "hashmap";
        boolean incremental = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--work": work = Paths.get(args[++i]).toAbsolutePath(); break;
                case "--fixtures": fixtures = Paths.get(args[++i]).toAbsolutePath(); break;
                case "--checkpoints": checkpoints = Integer.parseInt(args[++i]); break;
                case "--retained": retained = Integer.parseInt(args[++i]); break;
                case "--backend": backend = args[++i]; break;
                case "--incremental": incremental = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (work == null) throw new IllegalArgumentException("usage: ha --work DIR [--checkpoints N] [--retained K] [--fixtures DIR]");
        Generate.deleteTree(work);
        Files.createDirectories(work.resolve("zookeeper"));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

        try (TestingServer zk = new TestingServer(-1, work.resolve("zookeeper").toFile(), true)) {
            Configuration conf = config(zk.getConnectString(), work, retained);
            conf.set(StateBackendOptions.STATE_BACKEND, backend);
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, incremental);

            // ---- run 1: take checkpoints, then lose the JobManager (HA data stays)
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            Jobs.keyedJob(env, 2, 128, false);
            JobGraph jg = env.getStreamGraph().getJobGraph(Ha.class.getClassLoader(), JOB_ID);
            ArrayNode triggered = Jobs.F.arrayNode();
            MiniCluster mc = Generate.startCluster(conf);
            try {
                mc.submitJob(jg).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < checkpoints; i++) triggered.add(Generate.retry(() -> mc.triggerCheckpoint(JOB_ID)));
            } finally {
                mc.closeAsyncWithoutCleaningHighAvailabilityData().get(120, TimeUnit.SECONDS);
            }

            ObjectNode stored = Jobs.F.objectNode();
            stored.put("event", "stored");
            stored.put("flinkVersion", org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
            stored.put("zookeeper", zk.getConnectString());
            stored.put("root", ROOT);
            stored.put("clusterId", CLUSTER_ID);
            stored.put("jobId", JOB_ID.toHexString());
            stored.put("backend", backend + (incremental ? " incremental" : ""));
            stored.put("haStorageDir", work.resolve("ha").toUri().toString());
            stored.set("triggered", triggered);
            stored.set("flink", readWithFlink(conf, retained));
            ArrayNode nodes = dumpNodes(zk.getConnectString());
            // the same store as a Kubernetes HA ConfigMap (only where flink-kubernetes is on the class path)
            String cm = KubernetesConfigMap.build(nodes, CLUSTER_ID, JOB_ID, false);
            if (cm != null) Files.writeString(work.resolve("configmap.json"), cm);
            stored.put("configMap", cm == null ? null : work.resolve("configmap.json").toString());
            if (fixtures != null) writeFixtures(fixtures, nodes, work);
            emit(stored);

            if (fixtures != null) {
                ObjectNode restored = failover(conf, retained);
                ObjectNode all = stored.deepCopy();
                all.remove("zookeeper");
                all.remove("configMap");
                all.set("restored", restored);
                Files.writeString(fixtures.resolve("flink.json"), all.toPrettyString() + "\n");
                emit(restored);
                return;
            }
            // every `failover` line: a new JobManager recovers the job from HA; ZooKeeper keeps
            // running until stdin closes
            String line;
            while ((line = stdin.readLine()) != null) {
                String cmd = line.trim();
                if (cmd.equals("failover")) emit(failover(conf, retained));
                else if (cmd.equals("failover-check")) emit(failoverCheck(conf, retained));
                else if (cmd.equals("read")) emit(readWithFlink(conf, retained).put("event", "read"));
                else if (cmd.equals("hold")) hold(conf, stdin);
                else if (cmd.startsWith("read-configmap ")) emit(KubernetesConfigMap.read(Paths.get(cmd.substring(15)), conf, retained));
                else if (cmd.startsWith("savepoint ")) emit(savepoint(conf, retained, cmd.substring(10).trim()));
                else if (cmd.startsWith("restore-by-path ")) emit(restoreByPath(conf, work, cmd.substring(16).trim(), ++byPathRuns));
                else if (!cmd.isEmpty()) throw new IllegalArgumentException("unknown command " + cmd);
            }
        }
    }

    private static int byPathRuns = 0;

    /**
     * A JobManager recovers the job from HA and takes a canonical savepoint into {@code dir}
     * (savepoints do not enter the completed-checkpoint store); the JobManager is lost again.
     */
    static ObjectNode savepoint(Configuration conf, int retained, String dir) throws Exception {
        ObjectNode out = recover(conf, "savepoint", (mc, o) -> {
            String path = Generate.retry(() -> mc.triggerSavepoint(JOB_ID, dir, false, SavepointFormatType.CANONICAL));
            o.put("path", path);
        });
        out.set("flinkAfter", readWithFlink(conf, retained));
        return out;
    }

    /**
     * Flink's own restore by path ({@code -s}, default claim mode) of the same job in a new HA
     * cluster id on the same ZooKeeper and HA storage: the JobManager adds the snapshot to that
     * cluster's (empty) completed-checkpoint store, which writes its completedCheckpoint file;
     * reports the restored id and that file.
     */
    static ObjectNode restoreByPath(Configuration base, Path work, String pointer, int run) throws Exception {
        Configuration conf = new Configuration(base);
        String clusterId = CLUSTER_ID + "-by-path-" + run;
        conf.set(HighAvailabilityOptions.HA_CLUSTER_ID, clusterId);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Jobs.keyedJob(env, 2, 128, false);
        JobGraph jg = env.getStreamGraph().getJobGraph(Ha.class.getClassLoader(), JOB_ID);
        jg.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(pointer, false));
        ObjectNode out = Jobs.F.objectNode();
        out.put("event", "restored-by-path");
        MiniCluster mc = Generate.startCluster(conf);
        try {
            mc.submitJob(jg).get(60, TimeUnit.SECONDS);
            RestoredCheckpointStats r = waitForRestore(mc);
            out.put("restoredCheckpointId", r.getCheckpointId());
            out.put("restoredExternalPath", r.getExternalPath());
        } finally {
            mc.closeAsyncWithoutCleaningHighAvailabilityData().get(120, TimeUnit.SECONDS);
        }
        ArrayNode files = out.putArray("haFiles");
        try (var st = Files.list(work.resolve("ha").resolve(clusterId))) {
            for (Path p : (Iterable<Path>) st::iterator) {
                if (p.getFileName().toString().startsWith("completedCheckpoint")) files.add(p.toString());
            }
        }
        return out;
    }

    /** What to do with a JobManager that has recovered the job, before it is lost again. */
    interface WhileRunning {
        void run(MiniCluster mc, ObjectNode out) throws Exception;
    }

    /**
     * Starts a new MiniCluster (JobManager) that recovers the job from HA, puts what it restored
     * into an {@code event} object, runs {@code then}, and loses the JobManager again (HA data kept).
     */
    static ObjectNode recover(Configuration conf, String event, WhileRunning then) throws Exception {
        ObjectNode out = Jobs.F.objectNode();
        out.put("event", event);
        MiniCluster mc = Generate.startCluster(conf);
        try {
            RestoredCheckpointStats r = waitForRestore(mc);
            out.put("restoredCheckpointId", r.getCheckpointId());
            out.put("restoredExternalPath", r.getExternalPath());
            then.run(mc, out);
        } finally {
            mc.closeAsyncWithoutCleaningHighAvailabilityData().get(120, TimeUnit.SECONDS);
        }
        return out;
    }

    /** A failover: reports what the new JobManager restored, then what Flink's HA classes read. */
    static ObjectNode failover(Configuration conf, int retained) throws Exception {
        ObjectNode restored = recover(conf, "restored", (mc, out) -> {});
        restored.set("flinkAfter", readWithFlink(conf, retained));
        return restored;
    }

    /**
     * A failover that also shows whether the job really runs again from the restored checkpoint:
     * after the restore, either a task fails (missing or corrupt state: {@code recovered: false}
     * with the failure) or a new checkpoint completes ({@code recovered: true}, its id).
     */
    static ObjectNode failoverCheck(Configuration conf, int retained) throws Exception {
        ObjectNode checked = recover(conf, "checked", (mc, out) -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                var eg = mc.getExecutionGraph(JOB_ID).get(10, TimeUnit.SECONDS);
                boolean restarted = false;
                for (var v : eg.getAllExecutionVertices()) restarted |= v.getCurrentExecutionAttempt().getAttemptNumber() > 0;
                if (eg.getFailureInfo() != null || restarted) {
                    out.put("recovered", false);
                    out.put("failure", eg.getFailureInfo() == null ? "a task was restarted" : eg.getFailureInfo().getExceptionAsString());
                    return;
                }
                try {
                    String path = mc.triggerCheckpoint(JOB_ID).get(30, TimeUnit.SECONDS);
                    out.put("recovered", true);
                    out.put("checkpointPath", path);
                    out.put("checkpointId", Long.parseLong(path.replaceAll(".*/chk-(\\d+)/?$", "$1")));
                    return;
                } catch (Exception e) {
                    Thread.sleep(300); // tasks not running yet
                }
            }
            throw new IllegalStateException("the job neither ran nor failed within 120 s");
        });
        checked.set("flinkAfter", readWithFlink(conf, retained));
        return checked;
    }

    /** A JobManager that recovers the job and keeps running it until the line {@code release}. */
    static void hold(Configuration conf, BufferedReader stdin) throws Exception {
        recover(conf, "running", (mc, out) -> {
            emit(out);
            String l;
            while ((l = stdin.readLine()) != null && !l.trim().equals("release")) {
                // keep running
            }
        });
        emit(Jobs.F.objectNode().put("event", "released"));
    }

    static Configuration config(String quorum, Path work, int retained) {
        Configuration c = new Configuration();
        c.setString("high-availability.type", "zookeeper");
        c.set(HighAvailabilityOptions.HA_ZOOKEEPER_QUORUM, quorum);
        c.set(HighAvailabilityOptions.HA_ZOOKEEPER_ROOT, ROOT);
        c.set(HighAvailabilityOptions.HA_CLUSTER_ID, CLUSTER_ID);
        c.set(HighAvailabilityOptions.HA_STORAGE_PATH, work.resolve("ha").toUri().toString());
        c.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
        c.set(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD, MemorySize.parse("0b"));
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, retained);
        // checkpoints are triggered by hand only, so the store does not change while a cluster
        // restarts the job, recovers it or shuts down
        Generate.onlyManualCheckpoints(c);
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // task failures while the cluster shuts down must not make the job globally terminal
        // (that would clean its HA data): restart instead, and let the JobManager suspend it
        c.setString("restart-strategy.type", "fixed-delay");
        c.setString("restart-strategy.fixed-delay.attempts", "1000");
        c.setString("restart-strategy.fixed-delay.delay", "1 s");
        return c;
    }

    /** What Flink's own HA classes read from ZooKeeper: the recovered store and the counter. */
    static ObjectNode readWithFlink(Configuration conf, int retained) throws Exception {
        ExecutorService io = Executors.newSingleThreadExecutor();
        CuratorFrameworkWithUnhandledErrorListener client =
                ZooKeeperUtils.startCuratorFramework(conf, t -> System.err.println("curator: " + t));
        try {
            // the HA services hand the recovery factory a client namespaced to the jobs path
            CuratorFramework cf = ZooKeeperUtils.useNamespaceAndEnsurePath(client.asCuratorFramework(), ZooKeeperUtils.getJobsPath());
            ZooKeeperCheckpointRecoveryFactory factory = new ZooKeeperCheckpointRecoveryFactory(cf, conf, io);
            CompletedCheckpointStore store = recoveredStore(factory, retained, io);
            ObjectNode out = Jobs.F.objectNode();
            ArrayNode cps = out.putArray("checkpoints");
            for (CompletedCheckpoint cp : store.getAllCheckpoints()) {
                ObjectNode o = cps.addObject();
                o.put("id", cp.getCheckpointID());
                o.put("timestamp", cp.getTimestamp());
                o.put("externalPointer", cp.getExternalPointer());
                o.put("savepoint", cp.getProperties().isSavepoint());
            }
            CompletedCheckpoint latest = store.getLatestCheckpoint();
            if (latest != null) out.put("latest", latest.getCheckpointID());
            CheckpointIDCounter counter = factory.createCheckpointIDCounter(JOB_ID);
            counter.start();
            out.put("counter", counter.get());
            return out;
        } finally {
            client.close(); // drops the lock nodes the store took
            io.shutdownNow();
        }
    }

    /** createRecoveredCompletedCheckpointStore's last parameter is RestoreMode (1.20) or RecoveryClaimMode (2.x). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static CompletedCheckpointStore recoveredStore(ZooKeeperCheckpointRecoveryFactory f, int retained, ExecutorService io) throws Exception {
        for (Method m : f.getClass().getMethods()) {
            if (!m.getName().equals("createRecoveredCompletedCheckpointStore")) continue;
            Class<?>[] p = m.getParameterTypes();
            Object mode = Enum.valueOf((Class<Enum>) p[p.length - 1], "NO_CLAIM");
            Object registryFactory = (org.apache.flink.runtime.state.SharedStateRegistryFactory) SharedStateRegistry.DEFAULT_FACTORY;
            return (CompletedCheckpointStore) m.invoke(f, JOB_ID, retained, registryFactory, io, mode);
        }
        throw new IllegalStateException("no createRecoveredCompletedCheckpointStore");
    }

    static RestoredCheckpointStats waitForRestore(MiniCluster mc) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                CheckpointStatsSnapshot s = mc.getExecutionGraph(JOB_ID).get(10, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
                if (s != null && s.getLatestRestoredCheckpoint() != null) return s.getLatestRestoredCheckpoint();
            } catch (Exception e) {
                last = e; // the job is not recovered yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the recovered job reported no restored checkpoint", last);
    }

    static void emit(ObjectNode o) {
        System.out.println(o.toString());
        System.out.flush();
    }

    // ------------------------------------------------------------------------------ fixtures

    /** Every znode under the root with its data (base64), the HA files, and a ConfigMap. */
    static ArrayNode dumpNodes(String quorum) throws Exception {
        org.apache.flink.shaded.curator5.org.apache.curator.framework.CuratorFramework cf =
                org.apache.flink.shaded.curator5.org.apache.curator.framework.CuratorFrameworkFactory.newClient(
                        quorum, new org.apache.flink.shaded.curator5.org.apache.curator.retry.RetryNTimes(3, 200));
        cf.start();
        ArrayNode nodes = Jobs.F.arrayNode();
        try {
            walk(cf, ROOT, nodes);
        } finally {
            cf.close();
        }
        return nodes;
    }

    static void writeFixtures(Path dir, ArrayNode nodes, Path work) throws Exception {
        Generate.deleteTree(dir);
        Files.createDirectories(dir.resolve("ha"));
        ObjectNode zk = Jobs.F.objectNode();
        zk.put("root", ROOT);
        zk.put("clusterId", CLUSTER_ID);
        zk.put("jobId", JOB_ID.toHexString());
        zk.set("nodes", nodes);
        Files.writeString(dir.resolve("zookeeper.json"), zk.toPrettyString() + "\n");
        try (var s = Files.list(work.resolve("ha").resolve(CLUSTER_ID))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith("completedCheckpoint")) {
                    Files.copy(p, dir.resolve("ha").resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        String cm = KubernetesConfigMap.build(nodes, CLUSTER_ID, JOB_ID, false);
        if (cm != null) Files.writeString(dir.resolve("configmap.json"), cm);
        String marked = KubernetesConfigMap.build(nodes, CLUSTER_ID, JOB_ID, true);
        if (marked != null) Files.writeString(dir.resolve("configmap-oldest-marked.json"), marked);
    }

    static void walk(CuratorFramework cf, String path, ArrayNode out) throws Exception {
        byte[] data = cf.getData().forPath(path);
        ObjectNode n = out.addObject();
        n.put("path", path);
        n.put("data", data == null ? "" : Base64.getEncoder().encodeToString(data));
        List<String> children = new ArrayList<>(cf.getChildren().forPath(path));
        children.sort(null);
        for (String c : children) walk(cf, path + "/" + c, out);
    }
}
