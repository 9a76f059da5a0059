package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.JobManagerTaskRestore;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.MasterTriggerRestoreHook;
import org.apache.flink.runtime.checkpoint.StateAssignmentOperation;
import org.apache.flink.runtime.checkpoint.VertexFinishedStateChecker;
import org.apache.flink.runtime.checkpoint.hooks.MasterHooks;
import org.apache.flink.runtime.executiongraph.DefaultExecutionGraph;
import org.apache.flink.runtime.executiongraph.ExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.ExecutionVertex;
import org.apache.flink.runtime.executiongraph.TestingDefaultExecutionGraphBuilder;
import org.apache.flink.runtime.io.network.api.writer.SubtaskStateMapper;
import org.apache.flink.runtime.jobgraph.DistributionPattern;
import org.apache.flink.runtime.jobgraph.JobEdge;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobType;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.testtasks.NoOpInvokable;
import org.apache.flink.util.StringUtils;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Assignment oracle: what Flink's own restore path assigns to each new subtask.
 *
 * <p>Runs the same steps as a JobManager restoring a savepoint: build an ExecutionGraph for the
 * described job, {@code Checkpoints.loadAndValidateCheckpoint} (operator mapping, max-parallelism
 * checks, allowNonRestoredState), then what {@code CheckpointCoordinator} does with the loaded
 * checkpoint (in-flight data dropped when configured, {@code VertexFinishedStateChecker},
 * {@code StateAssignmentOperation.assignStates()}, {@code MasterHooks.restoreMasterHooks} with
 * recording hooks), and prints the per-subtask {@code JobManagerTaskRestore} of every vertex (and
 * the hooks Flink restored, sorted, when the job registers hooks).
 *
 * <pre>
 *   assign METADATA JOB.json          pretty JSON result (exit 0 also when Flink refuses: see "ok")
 *   assign --jsonl                    stdin: one {"metadata": path, "job": {...}} per line; stdout: one result per line
 * </pre>
 *
 * Job description: {"allowNonRestoredState": false, "masterHooks": ["hook id", ...] (optional: hooks the job
 * registers), "checkpointIdOfIgnoredInFlightData": 12 (optional), "vertices": [{"name": "...", "parallelism": 4,
 * "maxParallelism": 128 (optional; absent = not configured, Flink may adopt the state's),
 * "operators": ["<operator id hex>", ...] (chain order, head first),
 * "inputs": [{"from": "<vertex name>", "pattern": "ALL_TO_ALL"|"POINTWISE",
 *             "upstreamMapper"?: SubtaskStateMapper, "downstreamMapper"?: SubtaskStateMapper}] (optional, gate order)}]}
 */
public final class Assign {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (args.length == 1 && args[0].equals("--jsonl")) {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                JsonNode req = MAPPER.readTree(line);
                ObjectNode res = assign(new File(req.get("metadata").asText()), req.get("job"));
                if (req.has("id")) res.set("id", req.get("id"));
                out.println(MAPPER.writeValueAsString(res));
                out.flush();
                n++;
            }
            System.err.println("assign: " + n + " requests");
            return;
        }
        if (args.length != 2) {
            System.err.println("usage: assign METADATA JOB.json | assign --jsonl");
            System.exit(2);
        }
        JsonNode job = MAPPER.readTree(new File(args[1]));
        ObjectNode res = assign(new File(args[0]), job);
        out.println(MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(res));
        out.flush();
    }

    static ObjectNode assign(File metadata, JsonNode job) {
        ObjectNode res = F.objectNode();
        res.put("metadata", metadata.getPath());
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try {
            boolean allowNonRestored = job.path("allowNonRestoredState").asBoolean(false);
            Loaded loaded = load(metadata, job, exec);
            JobGraph jg = loaded.jobGraph;
            Map<JobVertexID, ExecutionJobVertex> tasks = loaded.tasks;
            CompletedCheckpoint cp = loaded.checkpoint;
            // the rest of CheckpointCoordinator.restoreLatestCheckpointedStateInternal:
            // in-flight data ignored for a configured checkpoint id, finished-operators check,
            // state assignment, master hooks
            Map<OperatorID, OperatorState> states = new HashMap<>(cp.getOperatorStates());
            if (job.has("checkpointIdOfIgnoredInFlightData")
                    && job.get("checkpointIdOfIgnoredInFlightData").asLong() == cp.getCheckpointID()) {
                Map<OperatorID, OperatorState> copy = new HashMap<>();
                for (OperatorState s : states.values()) copy.put(s.getOperatorID(), s.copyAndDiscardInFlightData());
                states = copy;
            }
            new VertexFinishedStateChecker(new HashSet<>(tasks.values()), states).validateOperatorsFinishedState();
            newAssignment(cp.getCheckpointID(), new HashSet<>(tasks.values()), states, allowNonRestored).assignStates();
            Map<String, MasterTriggerRestoreHook<?>> hooks = new HashMap<>();
            java.util.TreeMap<String, MasterHookProbe> probes = new java.util.TreeMap<>();
            for (JsonNode h : job.path("masterHooks")) {
                MasterHookProbe p = new MasterHookProbe(h.asText());
                hooks.put(p.id, p);
                probes.put(p.id, p);
            }
            MasterHooks.restoreMasterHooks(hooks, cp.getMasterHookStates(), cp.getCheckpointID(), allowNonRestored,
                    org.slf4j.LoggerFactory.getLogger(Assign.class));

            res.put("ok", true);
            res.put("checkpointId", Long.toString(cp.getCheckpointID()));
            ArrayNode vs = res.putArray("vertices");
            for (JobVertex v : jg.getVertices()) {
                ExecutionJobVertex ejv = tasks.get(v.getID());
                ObjectNode vn = vs.addObject();
                vn.put("name", v.getName());
                vn.put("parallelism", ejv.getParallelism());
                vn.put("maxParallelism", ejv.getMaxParallelism());
                ArrayNode subs = vn.putArray("subtasks");
                List<OperatorIDPair> ops = new ArrayList<>(v.getOperatorIDs());
                java.util.Collections.reverse(ops); // head first
                for (ExecutionVertex ev : ejv.getTaskVertices()) {
                    ObjectNode sn = subs.addObject();
                    sn.put("index", ev.getParallelSubtaskIndex());
                    JobManagerTaskRestore restore = ev.getCurrentExecutionAttempt().getTaskRestore();
                    if (restore == null) {
                        sn.putNull("restore");
                        continue;
                    }
                    sn.put("restoreCheckpointId", Long.toString(restore.getRestoreCheckpointId()));
                    sn.put("taskDeployedAsFinished", restore.getTaskStateSnapshot().isTaskDeployedAsFinished());
                    ArrayNode on = sn.putArray("operators");
                    for (OperatorIDPair p : ops) {
                        OperatorID id = p.getGeneratedOperatorID();
                        OperatorSubtaskState st = restore.getTaskStateSnapshot().getSubtaskStateByOperatorID(id);
                        ObjectNode o = on.addObject();
                        o.put("operatorId", id.toHexString());
                        if (st == null) {
                            o.putNull("state");
                            continue;
                        }
                        ArrayNode a;
                        a = o.putArray("managedKeyedState");
                        for (Object h : st.getManagedKeyedState()) a.add(Dump.keyed((org.apache.flink.runtime.state.KeyedStateHandle) h));
                        a = o.putArray("rawKeyedState");
                        for (Object h : st.getRawKeyedState()) a.add(Dump.keyed((org.apache.flink.runtime.state.KeyedStateHandle) h));
                        a = o.putArray("managedOperatorState");
                        for (Object h : st.getManagedOperatorState()) a.add(Dump.operatorHandle((org.apache.flink.runtime.state.OperatorStateHandle) h));
                        a = o.putArray("rawOperatorState");
                        for (Object h : st.getRawOperatorState()) a.add(Dump.operatorHandle((org.apache.flink.runtime.state.OperatorStateHandle) h));
                        a = o.putArray("inputChannelState");
                        for (Object h : st.getInputChannelState()) a.add(Dump.channel(h, true));
                        a = o.putArray("resultSubpartitionState");
                        for (Object h : st.getResultSubpartitionState()) a.add(Dump.channel(h, false));
                        if (st.isFinished()) o.put("finished", true);
                        // how in-flight data is remapped: null = NO_RESCALE, else one entry per gate / partition
                        o.set("inputRescaling", Rescaling.json(st.getInputRescalingDescriptor()));
                        o.set("outputRescaling", Rescaling.json(st.getOutputRescalingDescriptor()));
                    }
                }
            }
            if (!probes.isEmpty()) {
                ArrayNode mh = res.putArray("masterHooks");
                for (MasterHookProbe p : probes.values()) {
                    if (!p.restored) continue;
                    ObjectNode o = mh.addObject();
                    o.put("hook", p.id);
                    o.put("state", p.state != null);
                }
            }
        } catch (Throwable e) {
            res.put("ok", false);
            Throwable root = e;
            res.set("error", Dump.errorJson(e));
        } finally {
            exec.shutdownNow();
        }
        return res;
    }

    /** The job's ExecutionGraph vertices and the checkpoint as Flink's savepoint restore loads it. */
    static final class Loaded {
        final JobGraph jobGraph;
        final Map<JobVertexID, ExecutionJobVertex> tasks;
        final CompletedCheckpoint checkpoint;

        Loaded(JobGraph jobGraph, Map<JobVertexID, ExecutionJobVertex> tasks, CompletedCheckpoint checkpoint) {
            this.jobGraph = jobGraph;
            this.tasks = tasks;
            this.checkpoint = checkpoint;
        }
    }

    /** Builds the ExecutionGraph and runs {@code Checkpoints.loadAndValidateCheckpoint}. */
    static Loaded load(File metadata, JsonNode job, ScheduledExecutorService exec) throws Exception {
        JobGraph jg = jobGraph(job);
        DefaultExecutionGraph eg = TestingDefaultExecutionGraphBuilder.newBuilder().setJobGraph(jg).build(exec);
        Map<JobVertexID, ExecutionJobVertex> tasks = eg.getAllVertices();
        String pointer = metadata.getAbsoluteFile().getParentFile().toURI().toString();
        CompletedCheckpoint cp = Checkpoints.loadAndValidateCheckpoint(
                jg.getJobID(), tasks, AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(pointer),
                Assign.class.getClassLoader(), job.path("allowNonRestoredState").asBoolean(false),
                CheckpointProperties.forSavepoint(false, SavepointFormatType.CANONICAL));
        return new Loaded(jg, tasks, cp);
    }

    /** Flink 1.20/2.0 take (id, tasks, states, allowNonRestored); 2.3 adds recoverOutputOnDownstreamTask. */
    static StateAssignmentOperation newAssignment(long id, java.util.Set<ExecutionJobVertex> tasks,
                                                  Map<OperatorID, OperatorState> states, boolean allow) throws Exception {
        for (Constructor<?> c : StateAssignmentOperation.class.getConstructors()) {
            if (c.getParameterCount() == 4) return (StateAssignmentOperation) c.newInstance(id, tasks, states, allow);
            if (c.getParameterCount() == 5) return (StateAssignmentOperation) c.newInstance(id, tasks, states, allow, false);
        }
        throw new IllegalStateException("no known StateAssignmentOperation constructor");
    }

    static JobGraph jobGraph(JsonNode job) {
        JobGraph jg = new JobGraph(new JobID(), "assign-oracle");
        jg.setJobType(JobType.STREAMING);
        Map<String, JobVertex> byName = new LinkedHashMap<>();
        for (JsonNode v : job.get("vertices")) {
            List<OperatorIDPair> ids = new ArrayList<>();
            List<String> hex = new ArrayList<>();
            for (JsonNode o : v.get("operators")) hex.add(o.isTextual() ? o.asText() : o.get("id").asText());
            java.util.Collections.reverse(hex); // Flink keeps the chain tail first
            for (String h : hex) ids.add(OperatorIDPair.generatedIDOnly(new OperatorID(StringUtils.hexStringToByte(h))));
            JobVertexID vid = new JobVertexID(StringUtils.hexStringToByte(hex.get(hex.size() - 1)));
            JobVertex jv = new JobVertex(v.path("name").asText("v"), vid, ids);
            jv.setInvokableClass(NoOpInvokable.class);
            jv.setParallelism(v.get("parallelism").asInt());
            if (v.has("maxParallelism")) jv.setMaxParallelism(v.get("maxParallelism").asInt());
            jg.addVertex(jv);
            byName.put(jv.getName(), jv);
        }
        // inputs (optional): the edges, in input-gate order; needed for channel-state rescaling
        for (JsonNode v : job.get("vertices")) {
            JobVertex down = byName.get(v.path("name").asText("v"));
            for (JsonNode in : v.path("inputs")) {
                JobVertex up = byName.get(in.get("from").asText());
                if (up == null) throw new IllegalArgumentException("unknown input vertex " + in.get("from"));
                JobEdge e = FlinkLine.connect(down, up,
                        DistributionPattern.valueOf(in.path("pattern").asText("ALL_TO_ALL")));
                if (in.has("upstreamMapper")) e.setUpstreamSubtaskStateMapper(SubtaskStateMapper.valueOf(in.get("upstreamMapper").asText()));
                if (in.has("downstreamMapper")) e.setDownstreamSubtaskStateMapper(SubtaskStateMapper.valueOf(in.get("downstreamMapper").asText()));
            }
        }
        return jg;
    }
}
