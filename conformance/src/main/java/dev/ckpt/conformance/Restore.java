package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Restore check: restarts a fixture's job from its snapshot with a new parallelism for the
 * stateful operators and compares what they restored with the manifest's {@code expected}.
 *
 * <pre>
 *   restore SCENARIO_DIR NEW_PARALLELISM     prints a JSON verdict; exit 0 = ok, 1 = mismatch or Flink refused, 2 = usage
 *                                            ("outcome": restored | missing-state | refused | failed-while-restoring)
 *   restore --jsonl NEW_PARALLELISM DIR...   one verdict per line (one JVM); exit 0 only if all are ok
 *   --max-parallelism N (anywhere)           build the job with max parallelism N on every job vertex
 *                                            (for snapshots re-keyed to N key groups, e.g. by ckpt rekey)
 *   --ttl on|off|keep                        the restored job's keyed states with / without StateTtlConfig,
 *                                            whatever the scenario wrote (TTL toggled across the restore);
 *                                            only for scenarios built on the keyed job; keep = as written
 *   --backend hashmap|rocksdb|forst|keep     restore into this state backend instead of the scenario's
 *                                            (canonical savepoints switch backends; native ones do not)
 *   --ttl and --backend apply to the DIRs after them (so one JVM can restore with different settings)
 * </pre>
 *
 * Sources get new uids in restore mode (their state is skipped with allowNonRestoredState), so the
 * check is about the stateful operators. Any Flink version may restore any fixture it can read.
 */
public final class Restore {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Max parallelism of every job vertex of the restored job; 0 = as the scenario's job sets it. */
    static int maxParallelism = 0;
    /** State backend of the restored job; null = the scenario's. */
    static String backend = null;

    /** A positional argument with the --ttl / --backend in force where it stands. */
    record Arg(String value, Boolean ttl, String backend) {}

    public static void main(String[] argv) throws Exception {
        List<Arg> rest = new ArrayList<>();
        Boolean ttl = null;
        String be = null;
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--max-parallelism") && i + 1 < argv.length) maxParallelism = Integer.parseInt(argv[++i]);
            else if (argv[i].equals("--backend") && i + 1 < argv.length) {
                be = argv[++i].equals("keep") ? null : argv[i];
            } else if (argv[i].equals("--ttl") && i + 1 < argv.length) {
                String t = argv[++i];
                if (!t.equals("on") && !t.equals("off") && !t.equals("keep")) {
                    System.err.println("restore: --ttl takes on, off or keep, not " + t);
                    System.exit(2);
                }
                ttl = t.equals("keep") ? null : t.equals("on");
            } else rest.add(new Arg(argv[i], ttl, be));
        }
        if (rest.size() >= 2 && rest.get(0).value().equals("--jsonl")) {
            int p = Integer.parseInt(rest.get(1).value());
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            int failed = 0;
            for (Arg a : rest.subList(2, rest.size())) {
                Jobs.ttlOverride = a.ttl();
                backend = a.backend();
                ObjectNode verdict = run(Paths.get(a.value()).toAbsolutePath().normalize(), p);
                verdict.put("path", a.value());
                if (!verdict.get("ok").asBoolean()) failed++;
                out.println(MAPPER.writeValueAsString(verdict));
                out.flush();
            }
            System.err.println("restore: " + (rest.size() - 2 - failed) + " ok, " + failed + " failed");
            System.exit(failed == 0 ? 0 : 1);
        }
        String[] args = rest.stream().map(Arg::value).toArray(String[]::new);
        if (!rest.isEmpty()) {
            Jobs.ttlOverride = rest.get(0).ttl();
            backend = rest.get(0).backend();
        }
        if (args.length != 2) {
            System.err.println("usage: restore [--max-parallelism N] [--ttl on|off] [--backend NAME] SCENARIO_DIR NEW_PARALLELISM");
            System.exit(2);
        }
        Path dir = Paths.get(args[0]).toAbsolutePath().normalize();
        int parallelism = Integer.parseInt(args[1]);
        ObjectNode verdict = run(dir, parallelism);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        out.println(MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(verdict));
        out.flush();
        System.exit(verdict.get("ok").asBoolean() ? 0 : 1);
    }

    static ObjectNode run(Path dir, int parallelism) throws Exception {
        JsonNode manifest = MAPPER.readTree(dir.resolve("manifest.json").toFile());
        String name = manifest.get("scenario").asText();
        ObjectNode v = F.objectNode();
        v.put("scenario", name);
        v.put("fixtureFlinkVersion", manifest.get("flinkVersion").asText());
        v.put("flinkVersion", EnvironmentInformation.getVersion());
        v.put("newParallelism", parallelism);
        if (maxParallelism > 0) v.put("newMaxParallelism", maxParallelism);
        if (Jobs.ttlOverride != null) v.put("ttl", Jobs.ttlOverride ? "on" : "off");
        if (backend != null) v.put("backend", backend);
        Generate.Scenario scenario = null;
        for (Generate.Scenario s : Generate.scenarios()) if (s.name.equals(name)) scenario = s;
        if (scenario == null) {
            v.put("ok", false);
            v.put("error", "unknown scenario " + name);
            return v;
        }
        Path metadata = dir.resolve(manifest.get("metadataPath").asText());
        String pointer = metadata.getParent().toUri().toString();
        Path work = Files.createTempDirectory("ckpt-restore-");
        ArrayNode checks = v.putArray("checks");
        try {
            Jobs.restoreMode = true;
            Jobs.rescale = parallelism;
            Jobs.REPORTS.clear();
            Jobs.TICKS.set(0);
            Jobs.ttlOverrideApplied = false;
            JobID jobId = new JobID();
            Configuration conf = Generate.jobConfig(scenario, work, jobId);
            if (backend != null) conf.set(StateBackendOptions.STATE_BACKEND, backend);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            Jobs.Built built = scenario.job.apply(env, scenario);
            if (Jobs.ttlOverride != null && !Jobs.ttlOverrideApplied) {
                throw new NotApplicable("--ttl: scenario " + name + " has no keyed-job states whose TTL could be set");
            }
            JobGraph jg = env.getStreamGraph().getJobGraph(Restore.class.getClassLoader(), jobId);
            if (maxParallelism > 0) MaxParallelism.apply(jg, maxParallelism);
            jg.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(pointer, true));
            try (MiniCluster mc = Generate.startCluster(conf, Math.max(8, parallelism))) {
                mc.submitJob(jg).get(60, TimeUnit.SECONDS);
                Map<String, Integer> want = built.checks;
                long deadline = System.currentTimeMillis() + 90_000;
                while (true) {
                    Map<String, Integer> have = new HashMap<>();
                    for (Jobs.Report r : Jobs.REPORTS) have.merge(r.operator, 1, Integer::sum);
                    boolean done = true;
                    for (var e : want.entrySet()) done &= have.getOrDefault(e.getKey(), 0) >= e.getValue();
                    if (!built.deterministic) done = Jobs.TICKS.get() > 0;
                    if (done) break;
                    if (mc.getJobStatus(jobId).get().isGloballyTerminalState()) {
                        JobResult res = mc.requestJobResult(jobId).get();
                        Throwable t = res.getSerializedThrowable()
                                .map(st -> st.deserializeError(Restore.class.getClassLoader())).orElse(null);
                        throw new IllegalStateException("job ended during restore", t);
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("timeout waiting for restore reports: have " + have + ", want " + want);
                    }
                    Thread.sleep(50);
                }
                // the checks are done; a job that fails afterwards is reported, not fatal
                try {
                    mc.cancelJob(jobId).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    JobResult res = mc.requestJobResult(jobId).get(60, TimeUnit.SECONDS);
                    Throwable t = res.getSerializedThrowable()
                            .map(st -> st.deserializeError(Restore.class.getClassLoader())).orElse(e);
                    v.putArray("warnings").add("job failed after the restored state was checked: " + Dump.errorText(t));
                }
                mc.requestJobResult(jobId).get(60, TimeUnit.SECONDS);
            }
            boolean ok = true;
            if (!built.deterministic) {
                ObjectNode c = checks.addObject();
                c.put("name", "restored");
                c.put("ok", true);
                c.put("detail", "contents are not deterministic; the job restored and processed records");
            }
            JsonNode expected = manifest.get("expected");
            for (String op : built.checks.keySet()) ok &= check(op, expected, checks);
            v.put("ok", ok);
            v.put("outcome", ok ? "restored" : "missing-state");
        } catch (Throwable e) {
            v.put("ok", false);
            ObjectNode err = Dump.errorJson(e);
            v.set("error", err);
            // a restore the tool cannot set up is no Flink outcome
            if (!(e instanceof NotApplicable)) v.put("outcome", outcome(err.path("chain").asText("")));
        } finally {
            Jobs.restoreMode = false;
            Jobs.rescale = 0;
            Generate.deleteTree(work);
        }
        return v;
    }

    /** The requested restore does not fit the scenario's job (the tool's limit, not Flink's). */
    static final class NotApplicable extends RuntimeException {
        NotApplicable(String message) {
            super(message);
        }
    }

    /**
     * What a failed restore was: "refused" when the JobManager rejected the snapshot before any
     * task ran (the job could not start, or the checkpoint coordinator could not map or load the
     * state), "failed-while-restoring" when tasks failed restoring or reading their state.
     */
    static String outcome(String chain) {
        if (chain.contains("JobInitializationException") || chain.contains("Could not start the JobMaster")
                || chain.contains("Failed to rollback to checkpoint/savepoint")) return "refused";
        return "failed-while-restoring";
    }

    static JsonNode json(Object o) throws Exception {
        return MAPPER.readTree(MAPPER.writeValueAsString(o)); // same node types for both sides
    }

    static boolean check(String op, JsonNode expected, ArrayNode checks) throws Exception {
        List<Jobs.Report> reports = new ArrayList<>();
        for (Jobs.Report r : Jobs.REPORTS) if (r.operator.equals(op)) reports.add(r);
        ObjectNode c = checks.addObject();
        c.put("name", op);
        c.put("subtasks", reports.size());
        boolean ok;
        if (op.equals("keyed") || op.equals("keyed-8")) {
            ObjectNode merged = F.objectNode();
            List<String> dup = new ArrayList<>();
            for (Jobs.Report r : reports) {
                JsonNode m = json(r.contents);
                m.fields().forEachRemaining(e -> {
                    if (merged.has(e.getKey())) dup.add(e.getKey());
                    merged.set(e.getKey(), e.getValue());
                });
            }
            JsonNode want = json(expected.get("keyed").get("keys"));
            ok = dup.isEmpty() && merged.equals(want);
            c.put("keys", merged.size());
            if (!dup.isEmpty()) c.put("detail", "keys restored on more than one subtask: " + dup);
            else if (!ok) { c.set("found", merged); c.set("expected", want); }
        } else if (op.equals("opstate") || op.equals("wide")) {
            JsonNode exp = expected.get("operatorState");
            List<Long> split = new ArrayList<>();
            boolean unionOk = true;
            List<Long> wantUnion = new ArrayList<>();
            for (JsonNode n : exp.get("union-list")) wantUnion.add(n.asLong());
            for (Jobs.Report r : reports) {
                JsonNode m = json(r.contents);
                for (JsonNode n : m.get("split-list")) split.add(n.asLong());
                List<Long> u = new ArrayList<>();
                for (JsonNode n : m.get("union-list")) u.add(n.asLong());
                u.sort(null);
                unionOk &= u.equals(wantUnion);
            }
            split.sort(null);
            List<Long> wantSplit = new ArrayList<>();
            for (JsonNode n : exp.get("split-list")) wantSplit.add(n.asLong());
            wantSplit.sort(null);
            ok = unionOk && split.equals(wantSplit);
            c.put("splitEntries", split.size());
            c.put("unionComplete", unionOk);
            if (!ok) c.put("detail", "split restored " + split + ", expected " + wantSplit);
        } else if (op.equals("broadcast")) {
            JsonNode want = json(expected.get("broadcastState").get("entries"));
            ok = true;
            for (Jobs.Report r : reports) ok &= json(r.contents).equals(want);
            if (!ok) c.put("detail", "a subtask restored different broadcast entries");
        } else if (op.equals("kryo")) {
            ObjectNode merged = F.objectNode();
            for (Jobs.Report r : reports) json(r.contents).fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
            JsonNode want = json(expected.get("kryo").get("keys"));
            ok = merged.equals(want);
            c.put("keys", merged.size());
            if (!ok) { c.set("found", merged); c.set("expected", want); }
        } else if (op.equals("scala")) {
            long keys = 0;
            for (Jobs.Report r : reports) keys += json(r.contents).get("keys").asLong();
            long want = expected.get("scala").get("keys").asLong();
            ok = keys == want;
            c.put("keys", keys);
            if (!ok) c.put("detail", "restored " + keys + " keys, expected " + want);
        } else if (op.equals("kryo-opstate")) {
            List<Long> totals = new ArrayList<>();
            boolean labels = true;
            for (Jobs.Report r : reports) {
                JsonNode m = json(r.contents);
                for (JsonNode n : m.get("totals")) totals.add(n.asLong());
                labels &= m.get("labelsOk").asBoolean();
            }
            totals.sort(null);
            List<Long> want = new ArrayList<>();
            for (JsonNode n : expected.get("kryoOperatorState").get("totals")) want.add(n.asLong());
            ok = labels && totals.equals(want);
            c.put("entries", totals.size());
            if (!ok) c.put("detail", "restored " + totals + (labels ? "" : " (labels differ)") + ", expected " + want);
        } else {
            ok = false;
            c.put("detail", "no check for " + op);
        }
        c.put("ok", ok);
        return ok;
    }
}
