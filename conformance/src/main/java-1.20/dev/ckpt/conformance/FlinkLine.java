package dev.ckpt.conformance;

import org.apache.flink.runtime.io.network.partition.ResultPartitionType;
import org.apache.flink.runtime.jobgraph.DistributionPattern;
import org.apache.flink.runtime.jobgraph.JobEdge;
import org.apache.flink.runtime.jobgraph.JobVertex;

/** Facts about the Flink 1.20 line that the shared code cannot detect by itself. */
final class FlinkLine {
    private FlinkLine() {}

    /** The Flink release line this build was compiled against. */
    static final String LINE = "1.20";

    /** The metadata format version this line's writer emits. */
    static final int EXPECTED_METADATA_VERSION = 4;

    /** Scenarios that need a feature this line does not have. */
    static boolean supports(String feature) {
        switch (feature) {
            case "forst":
                return false; // ForSt arrived with 2.0
            case "scala":
                return true; // the Scala API (flink-scala), removed in 2.0
            default:
                return true;
        }
    }

    /** Connects upstream -> downstream with a pipelined data set (signature differs per line). */
    static JobEdge connect(JobVertex downstream, JobVertex upstream, DistributionPattern pattern) {
        return downstream.connectNewDataSetAsInput(upstream, pattern, ResultPartitionType.PIPELINED_BOUNDED);
    }

    /** Type information of a Scala {@code Option[Long]} (the Scala API's own serializer). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static org.apache.flink.api.common.typeinfo.TypeInformation<Object> scalaOptionOfLong() {
        return (org.apache.flink.api.common.typeinfo.TypeInformation) new org.apache.flink.api.scala.typeutils.OptionTypeInfo(
                org.apache.flink.api.common.typeinfo.Types.LONG);
    }

    /** {@code Some(v)}. */
    static Object scalaSome(long v) {
        return scala.Option.apply(v);
    }
}
