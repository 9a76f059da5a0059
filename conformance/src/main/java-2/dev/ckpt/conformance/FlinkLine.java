package dev.ckpt.conformance;

import org.apache.flink.runtime.io.network.partition.ResultPartitionType;
import org.apache.flink.runtime.jobgraph.DistributionPattern;
import org.apache.flink.runtime.jobgraph.IntermediateDataSetID;
import org.apache.flink.runtime.jobgraph.JobEdge;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.util.EnvironmentInformation;

/** Facts about the Flink 2.x lines that the shared code cannot detect by itself. */
final class FlinkLine {
    private FlinkLine() {}

    /** The Flink release line this build was compiled against, e.g. "2.0" or "2.3". */
    static final String LINE = majorMinor(EnvironmentInformation.getVersion());

    /** The metadata format version this line's writer emits (2.0: V5; later 2.x: V6). */
    static final int EXPECTED_METADATA_VERSION = "2.0".equals(LINE) ? 5 : 6;

    static boolean supports(String feature) {
        switch (feature) {
            case "forst":
                return !"2.0".equals(LINE);
            case "scala":
                return false; // the Scala API was removed in 2.0
            default:
                return true;
        }
    }

    private static String majorMinor(String v) {
        String[] p = v.split("\\.");
        return p.length >= 2 ? p[0] + "." + p[1] : v;
    }

    /** Connects upstream -> downstream with a pipelined data set (signature differs per line). */
    static JobEdge connect(JobVertex downstream, JobVertex upstream, DistributionPattern pattern) {
        return downstream.connectNewDataSetAsInput(
                upstream, pattern, ResultPartitionType.PIPELINED_BOUNDED, new IntermediateDataSetID(), false, false);
    }

    /** The Scala API is gone in 2.x: only 1.20 writes the scala scenario. */
    static org.apache.flink.api.common.typeinfo.TypeInformation<Object> scalaOptionOfLong() {
        throw new UnsupportedOperationException("no Scala API in Flink " + LINE);
    }

    static Object scalaSome(long v) {
        throw new UnsupportedOperationException("no Scala API in Flink " + LINE);
    }
}
