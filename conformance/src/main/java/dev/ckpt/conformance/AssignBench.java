package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.executiongraph.ExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.jobgraph.OperatorID;

import java.io.File;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Times Flink's own state assignment (StateAssignmentOperation.assignStates) for bench/assign.mjs:
 * {@code assign-bench ROUNDS METADATA JOB.json}. The job description is the assignment oracle's
 * (see {@link Assign}); the ExecutionGraph is built and the checkpoint loaded and validated once
 * (not timed), then the assignment runs warm-up rounds and ROUNDS timed rounds. Prints one JSON
 * line: min and median milliseconds, and the number of subtasks that received state.
 */
final class AssignBench {
    private AssignBench() {}

    static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        File metadata = new File(args[1]);
        JsonNode job = Assign.MAPPER.readTree(new File(args[2]));
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try {
            boolean allow = job.path("allowNonRestoredState").asBoolean(false);
            Assign.Loaded loaded = Assign.load(metadata, job, exec);
            Map<JobVertexID, ExecutionJobVertex> tasks = loaded.tasks;
            CompletedCheckpoint cp = loaded.checkpoint;
            double[] ms = new double[rounds];
            int warmup = Math.max(2, Math.min(rounds, 3));
            for (int r = -warmup; r < rounds; r++) {
                Map<OperatorID, OperatorState> states = new HashMap<>(cp.getOperatorStates());
                long t0 = System.nanoTime();
                Assign.newAssignment(cp.getCheckpointID(), new HashSet<>(tasks.values()), states, allow).assignStates();
                long t1 = System.nanoTime();
                if (r >= 0) ms[r] = (t1 - t0) / 1e6;
            }
            long restored = 0;
            for (ExecutionJobVertex v : tasks.values()) {
                for (var ev : v.getTaskVertices()) if (ev.getCurrentExecutionAttempt().getTaskRestore() != null) restored++;
            }
            System.out.println(String.format(
                    "{\"minMs\":%.3f,\"medianMs\":%.3f,\"rounds\":%d,\"restoredSubtasks\":%d}",
                    Bench.min(ms), Bench.median(ms), rounds, restored));
        } finally {
            exec.shutdownNow();
        }
    }
}
