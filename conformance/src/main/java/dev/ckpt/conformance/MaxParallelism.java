package dev.ckpt.conformance;

import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;

/**
 * Restore with another max parallelism: sets it on every vertex of the generated job graph, as
 * {@code env.setMaxParallelism} / {@code setMaxParallelism} in the job would. Used to prove that a
 * re-keyed snapshot (key groups for the new max parallelism) restores with the expected values;
 * an unchanged snapshot restored this way is refused by Flink (max parallelism mismatch).
 */
final class MaxParallelism {
    private MaxParallelism() {}

    static void apply(JobGraph jg, int maxParallelism) {
        for (JobVertex v : jg.getVertices()) {
            if (v.getParallelism() > maxParallelism) {
                throw new IllegalArgumentException("vertex " + v.getName() + " has parallelism " + v.getParallelism()
                        + ", more than the max parallelism " + maxParallelism);
            }
            v.setMaxParallelism(maxParallelism);
        }
    }
}
