package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.JobManagerTaskRestore;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.executiongraph.ExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.ExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.util.StringUtils;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Times Flink's own state assignment (StateAssignmentOperation.assignStates) for bench/assign.mjs:
 * {@code assign-bench ROUNDS [--warmup N] [--parts K] [--histogram] METADATA JOB.json}.
 *
 * <p>The job description is the assignment oracle's (see {@link Assign}); the ExecutionGraph is
 * built and the checkpoint loaded and validated once (not timed). With {@code --parts K} the job's
 * vertices (whole chains) are split into K consecutive groups and each group is one independent
 * assignment (its vertices and the stored states of their operators); a round times the sum of the
 * K assignments. After each assignment the assigned handles are counted (the checksum compared with
 * ckpt's) and the assignment is dropped from the executions (not timed), as a restarted job would
 * start without it, so one part's result at a time is alive. Warm-up: N assignments of the first
 * part (default 2). Prints one JSON line: min and median milliseconds, the counts, and the heap
 * after loading and after one part's assignment (after a full GC) and the peak RSS. With
 * {@code --histogram} the JVM's class histogram (top 40) at those two points goes to stderr.
 */
final class AssignBench {
    private AssignBench() {}

    /** What one assignment gave, summed: the checksum both sides print. */
    static final class Counts {
        long restoredSubtasks;
        long operatorSubtaskStates;
        long keyedHandles;
        long operatorHandles;
        long channelHandles;

        void add(Counts o) {
            restoredSubtasks += o.restoredSubtasks;
            operatorSubtaskStates += o.operatorSubtaskStates;
            keyedHandles += o.keyedHandles;
            operatorHandles += o.operatorHandles;
            channelHandles += o.channelHandles;
        }
    }

    static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int warmup = 2;
        int parts = 1;
        boolean histogram = false;
        int i = 1;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            if (args[i].equals("--warmup")) warmup = Integer.parseInt(args[++i]);
            else if (args[i].equals("--parts")) parts = Integer.parseInt(args[++i]);
            else if (args[i].equals("--histogram")) histogram = true;
            else throw new IllegalArgumentException("unknown option " + args[i]);
        }
        File metadata = new File(args[i]);
        JsonNode job = Assign.MAPPER.readTree(new File(args[i + 1]));
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try {
            boolean allow = job.path("allowNonRestoredState").asBoolean(false);
            Assign.Loaded loaded = Assign.load(metadata, job, exec);
            CompletedCheckpoint cp = loaded.checkpoint;
            List<Set<ExecutionJobVertex>> partTasks = new ArrayList<>();
            List<Map<OperatorID, OperatorState>> partStates = new ArrayList<>();
            split(job, loaded.tasks, cp.getOperatorStates(), parts, partTasks, partStates);
            long heapLoaded = heapAfterGc();
            if (histogram) printHistogram("loaded (graph + checkpoint)");

            for (int w = 0; w < warmup; w++) {
                assign(cp.getCheckpointID(), partTasks.get(0), partStates.get(0), allow);
                drop(partTasks.get(0));
            }
            double[] ms = new double[rounds];
            Counts counts = null;
            long heapAssigned = 0;
            for (int r = 0; r < rounds; r++) {
                Counts round = new Counts();
                long nanos = 0;
                for (int p = 0; p < partTasks.size(); p++) {
                    long t0 = System.nanoTime();
                    assign(cp.getCheckpointID(), partTasks.get(p), partStates.get(p), allow);
                    nanos += System.nanoTime() - t0;
                    round.add(count(partTasks.get(p)));
                    if (r == 0 && p == 0) {
                        heapAssigned = heapAfterGc();
                        if (histogram) printHistogram("one part assigned");
                    }
                    drop(partTasks.get(p));
                }
                ms[r] = nanos / 1e6;
                counts = round;
            }
            System.out.println(String.format(
                    "{\"minMs\":%.3f,\"medianMs\":%.3f,\"rounds\":%d,\"warmup\":%d,\"parts\":%d,"
                            + "\"restoredSubtasks\":%d,\"operatorSubtaskStates\":%d,\"keyedHandles\":%d,"
                            + "\"operatorHandles\":%d,\"channelHandles\":%d,"
                            + "\"heapLoadedMiB\":%d,\"heapOnePartAssignedMiB\":%d,\"maxHeapMiB\":%d,\"peakRssMiB\":%d}",
                    Bench.min(ms), Bench.median(ms), rounds, warmup, partTasks.size(),
                    counts.restoredSubtasks, counts.operatorSubtaskStates, counts.keyedHandles,
                    counts.operatorHandles, counts.channelHandles,
                    heapLoaded >> 20, heapAssigned >> 20, Runtime.getRuntime().maxMemory() >> 20, peakRssKiB() >> 10));
        } finally {
            exec.shutdownNow();
        }
    }

    /** K groups of consecutive vertices (job order) and the stored states of their operators. */
    private static void split(JsonNode job, Map<JobVertexID, ExecutionJobVertex> tasks, Map<OperatorID, OperatorState> states,
                              int parts, List<Set<ExecutionJobVertex>> partTasks, List<Map<OperatorID, OperatorState>> partStates) {
        List<ExecutionJobVertex> ordered = new ArrayList<>();
        for (JsonNode v : job.get("vertices")) {
            JsonNode head = v.get("operators").get(0); // Assign.jobGraph takes the vertex id from the chain's head
            String hex = head.isTextual() ? head.asText() : head.get("id").asText();
            ordered.add(tasks.get(new JobVertexID(StringUtils.hexStringToByte(hex))));
        }
        int k = Math.max(1, Math.min(parts, ordered.size()));
        for (int p = 0; p < k; p++) {
            Set<ExecutionJobVertex> group = new HashSet<>();
            Map<OperatorID, OperatorState> own = new HashMap<>();
            for (ExecutionJobVertex v : ordered.subList(p * ordered.size() / k, (p + 1) * ordered.size() / k)) {
                group.add(v);
                for (OperatorIDPair id : v.getOperatorIDs()) {
                    OperatorState s = states.get(id.getGeneratedOperatorID());
                    if (s != null) own.put(id.getGeneratedOperatorID(), s);
                }
            }
            partTasks.add(group);
            partStates.add(own);
        }
    }

    private static void assign(long checkpointId, Set<ExecutionJobVertex> tasks, Map<OperatorID, OperatorState> states,
                               boolean allow) throws Exception {
        Assign.newAssignment(checkpointId, new HashSet<>(tasks), new HashMap<>(states), allow).assignStates();
    }

    private static Counts count(Set<ExecutionJobVertex> tasks) {
        Counts c = new Counts();
        for (ExecutionJobVertex v : tasks) {
            for (ExecutionVertex ev : v.getTaskVertices()) {
                JobManagerTaskRestore restore = ev.getCurrentExecutionAttempt().getTaskRestore();
                if (restore == null) continue;
                c.restoredSubtasks++;
                for (Map.Entry<OperatorID, OperatorSubtaskState> e : restore.getTaskStateSnapshot().getSubtaskStateMappings()) {
                    OperatorSubtaskState s = e.getValue();
                    if (s.hasState()) c.operatorSubtaskStates++;
                    c.keyedHandles += s.getManagedKeyedState().size() + s.getRawKeyedState().size();
                    c.operatorHandles += s.getManagedOperatorState().size() + s.getRawOperatorState().size();
                    c.channelHandles += s.getInputChannelState().size() + s.getResultSubpartitionState().size();
                }
            }
        }
        return c;
    }

    /** Forgets the assignment, as a newly built job would not have one. */
    private static void drop(Set<ExecutionJobVertex> tasks) {
        for (ExecutionJobVertex v : tasks) {
            for (ExecutionVertex ev : v.getTaskVertices()) ev.getCurrentExecutionAttempt().setInitialState(null);
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The live-object class histogram (the JVM's GC.class_histogram diagnostic command), top 40 lines. */
    private static void printHistogram(String when) throws Exception {
        javax.management.ObjectName name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                name, "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String[] lines = String.valueOf(text).split("\n");
        System.err.println("assign-bench: class histogram, " + when);
        for (int l = 0; l < Math.min(lines.length, 42); l++) System.err.println(lines[l]);
        System.err.println(lines[lines.length - 1]);
    }

    /** VmHWM of /proc/self/status (Linux), KiB; 0 elsewhere. */
    static long peakRssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
