package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.state.RetrievableStateHandle;
import org.apache.flink.util.InstantiationUtil;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CheckpointIDCounter;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStore;
import org.apache.flink.runtime.state.SharedStateRegistry;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    /**
     * Reads a ConfigMap export the way a recovering JobManager reads its Kubernetes HA store:
     * flink-kubernetes' {@code KubernetesUtils.createCompletedCheckpointStore} (its
     * {@code KubernetesStateHandleStore} and Flink's checkpoint retrieval, which reads every
     * completedCheckpoint file) and its {@code KubernetesCheckpointIDCounter}. The ConfigMap is
     * handed to them through a {@code FlinkKubeClient} that serves the exported object for reads
     * and refuses every write. Reports the recovered checkpoints, the latest and the counter.
     */
    static ObjectNode read(Path file, Configuration conf, int retained) throws Exception {
        ObjectNode out = Jobs.F.objectNode();
        out.put("event", "configmap");
        Class<?> kubeClient;
        try {
            kubeClient = Class.forName(K8S + "kubeclient.FlinkKubeClient");
        } catch (ClassNotFoundException e) {
            out.put("error", "flink-kubernetes is not on this line's class path");
            return out;
        }
        JsonNode doc = new ObjectMapper().readTree(Files.readString(file));
        String name = doc.get("metadata").get("name").asText();
        Map<String, String> data = new LinkedHashMap<>();
        doc.get("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        String model = K8S + "shaded.io.fabric8.kubernetes.api.model.";
        Object meta = Class.forName(model + "ObjectMeta").getConstructor().newInstance();
        meta.getClass().getMethod("setName", String.class).invoke(meta, name);
        JsonNode rv = doc.get("metadata").get("resourceVersion");
        meta.getClass().getMethod("setResourceVersion", String.class).invoke(meta, rv == null ? "1" : rv.asText());
        Object cm = Class.forName(model + "ConfigMap").getConstructor().newInstance();
        cm.getClass().getMethod("setMetadata", meta.getClass()).invoke(cm, meta);
        cm.getClass().getMethod("setData", Map.class).invoke(cm, data);
        Object wrapped = Class.forName(K8S + "kubeclient.resources.KubernetesConfigMap").getConstructor(cm.getClass()).newInstance(cm);
        Object client = Proxy.newProxyInstance(Ha.class.getClassLoader(), new Class<?>[] {kubeClient}, (p, m, args) -> {
            if (m.getName().equals("getConfigMap")) return name.equals(args[0]) ? Optional.of(wrapped) : Optional.empty();
            if (m.getName().equals("close")) return null;
            throw new UnsupportedOperationException("read-only ConfigMap export: " + m.getName());
        });
        ExecutorService io = Executors.newSingleThreadExecutor();
        try {
            CompletedCheckpointStore store = null;
            for (Method m : Class.forName(K8S + "utils.KubernetesUtils").getMethods()) {
                if (!m.getName().equals("createCompletedCheckpointStore")) continue;
                Class<?>[] p = m.getParameterTypes();
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object mode = Enum.valueOf((Class<Enum>) p[p.length - 1], "NO_CLAIM");
                store = (CompletedCheckpointStore) m.invoke(null, conf, client, io, name, null, retained,
                        (org.apache.flink.runtime.state.SharedStateRegistryFactory) SharedStateRegistry.DEFAULT_FACTORY, io, mode);
            }
            if (store == null) throw new IllegalStateException("no KubernetesUtils.createCompletedCheckpointStore");
            ArrayNode cps = out.putArray("checkpoints");
            for (CompletedCheckpoint cp : store.getAllCheckpoints()) {
                ObjectNode o = cps.addObject();
                o.put("id", cp.getCheckpointID());
                o.put("externalPointer", cp.getExternalPointer());
            }
            CompletedCheckpoint latest = store.getLatestCheckpoint();
            if (latest != null) out.put("latest", latest.getCheckpointID());
            CheckpointIDCounter counter = (CheckpointIDCounter) Class.forName(K8S + "highavailability.KubernetesCheckpointIDCounter")
                    .getConstructor(kubeClient, String.class, String.class).newInstance(client, name, null);
            counter.start();
            out.put("counter", counter.get());
        } finally {
            io.shutdownNow();
        }
        return out;
    }
}
