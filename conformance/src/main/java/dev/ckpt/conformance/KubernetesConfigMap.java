package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.state.RetrievableStateHandle;
import org.apache.flink.util.InstantiationUtil;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the job's Kubernetes HA ConfigMap ({@code kubectl get configmap -o json} shape) from the
 * checkpoint handles Flink wrote to ZooKeeper: each handle wrapped in flink-kubernetes' own
 * {@code StateHandleWithDeleteMarker} and keyed by its own {@code KubernetesCheckpointStoreUtil},
 * serialized with Flink's {@code InstantiationUtil} and Base64-encoded the way
 * {@code KubernetesStateHandleStore} does, plus the {@code counter} key. Needs flink-kubernetes on
 * the class path (the flink-2.3 profile has it); returns null without it.
 */
final class KubernetesConfigMap {
    private KubernetesConfigMap() {}

    static final String K8S = "org.apache.flink.kubernetes.";
    static final Pattern CHECKPOINT_NODE = Pattern.compile(".*/checkpoints/(\\d{19})");

    /**
     * @param nodes the znodes as written by {@link Ha#walk} (path, base64 data)
     * @param markOldest wrap the oldest checkpoint with the marker's {@code toDeleting()} form
     */
    static String build(ArrayNode nodes, String clusterId, JobID jobId, boolean markOldest) throws Exception {
        Class<?> marker;
        Object storeUtil;
        try {
            marker = Class.forName(K8S + "highavailability.KubernetesStateHandleStore$StateHandleWithDeleteMarker");
            storeUtil = Class.forName(K8S + "highavailability.KubernetesCheckpointStoreUtil").getField("INSTANCE").get(null);
        } catch (ClassNotFoundException e) {
            return null;
        }
        Constructor<?> wrap = marker.getDeclaredConstructor(RetrievableStateHandle.class);
        wrap.setAccessible(true);
        Method toDeleting = marker.getDeclaredMethod("toDeleting");
        toDeleting.setAccessible(true);
        Method idToName = storeUtil.getClass().getMethod("checkpointIDToName", long.class);

        ObjectNode cm = Jobs.F.objectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        ObjectNode meta = cm.putObject("metadata");
        meta.put("name", clusterId + "-" + jobId.toHexString() + "-config-map");
        meta.put("namespace", "default");
        ObjectNode labels = meta.putObject("labels");
        labels.put("app", clusterId);
        labels.put("configmap-type", "high-availability");
        labels.put("type", "flink-native-kubernetes");
        ObjectNode data = cm.putObject("data");
        boolean first = true;
        for (JsonNode n : nodes) {
            String path = n.get("path").asText();
            byte[] bytes = Base64.getDecoder().decode(n.get("data").asText());
            Matcher m = CHECKPOINT_NODE.matcher(path);
            if (m.matches()) {
                RetrievableStateHandle<?> handle = InstantiationUtil.deserializeObject(bytes, Ha.class.getClassLoader());
                Object value = wrap.newInstance(handle);
                if (markOldest && first) value = toDeleting.invoke(value);
                first = false;
                String key = (String) idToName.invoke(storeUtil, Long.parseLong(m.group(1)));
                data.put(key, Base64.getEncoder().encodeToString(InstantiationUtil.serializeObject(value)));
            } else if (path.endsWith("/checkpoint_id_counter") && bytes.length == 4) {
                data.put("counter", String.valueOf(ByteBuffer.wrap(bytes).getInt()));
            }
        }
        return cm.toPrettyString() + "\n";
    }
}
