package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.runtime.checkpoint.InflightDataRescalingDescriptor;
import org.apache.flink.runtime.checkpoint.InflightDataRescalingDescriptor.InflightDataGateOrPartitionRescalingDescriptor;
import org.apache.flink.runtime.checkpoint.RescaleMappings;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.TreeSet;

/**
 * JSON form of Flink's {@link InflightDataRescalingDescriptor} (set by StateAssignmentOperation on
 * every restored OperatorSubtaskState): {@code null} for NO_RESCALE, otherwise one object per input
 * gate / result partition with the descriptor's fields ({@code {"noState": true}} for NO_STATE). Private fields are read by reflection
 * (their names are the same in 1.20, 2.0 and 2.3).
 */
final class Rescaling {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Rescaling() {}

    static JsonNode json(InflightDataRescalingDescriptor d) throws ReflectiveOperationException {
        if (d == null || d == InflightDataRescalingDescriptor.NO_RESCALE) return F.nullNode();
        InflightDataGateOrPartitionRescalingDescriptor[] gates =
                (InflightDataGateOrPartitionRescalingDescriptor[]) field(InflightDataRescalingDescriptor.class, "gateOrPartitionDescriptors").get(d);
        ArrayNode out = F.arrayNode();
        for (InflightDataGateOrPartitionRescalingDescriptor g : gates) {
            ObjectNode o = out.addObject();
            if (g == InflightDataGateOrPartitionRescalingDescriptor.NO_STATE) {
                // gate / partition without in-flight data (its getters throw before 2.3)
                o.put("noState", true);
                continue;
            }
            ArrayNode old = o.putArray("oldSubtaskIndexes");
            for (int i : g.getOldSubtaskInstances()) old.add(i);
            o.set("rescaledChannelsMappings", mappings(g.getRescaleMappings()));
            @SuppressWarnings("unchecked")
            Set<Integer> amb = (Set<Integer>) field(InflightDataGateOrPartitionRescalingDescriptor.class, "ambiguousSubtaskIndexes").get(g);
            ArrayNode a = o.putArray("ambiguousSubtaskIndexes");
            for (int i : new TreeSet<>(amb)) a.add(i);
            o.put("mappingType", g.isIdentity() ? "IDENTITY" : "RESCALING");
        }
        return out;
    }

    static ObjectNode mappings(RescaleMappings m) throws ReflectiveOperationException {
        ObjectNode o = F.objectNode();
        o.put("sources", field(RescaleMappings.class, "numberOfSources").getInt(m));
        o.put("targets", field(RescaleMappings.class, "numberOfTargets").getInt(m));
        o.put("identity", m.isIdentity());
        ArrayNode ms = o.putArray("mappings");
        if (!m.isIdentity()) {
            for (int[] t : (int[][]) field(RescaleMappings.class, "mappings").get(m)) {
                ArrayNode x = ms.addArray();
                for (int i : t) x.add(i);
            }
        }
        return o;
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
