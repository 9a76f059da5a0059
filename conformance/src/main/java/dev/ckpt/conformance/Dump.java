package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.MasterState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.channel.InputChannelInfo;
import org.apache.flink.runtime.checkpoint.channel.ResultSubpartitionInfo;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.AbstractChannelStateHandle;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.InputChannelStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupsSavepointStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.ResultSubpartitionStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateBackendHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateHandleStreamImpl;
import org.apache.flink.runtime.state.changelog.StateChange;
import org.apache.flink.runtime.state.changelog.inmemory.InMemoryChangelogStateHandle;
import org.apache.flink.runtime.state.filemerging.EmptyFileMergingOperatorStreamStateHandle;
import org.apache.flink.runtime.state.filemerging.EmptySegmentFileStateHandle;
import org.apache.flink.runtime.state.filemerging.FileMergingOperatorStreamStateHandle;
import org.apache.flink.runtime.state.filemerging.SegmentFileStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads {@code _metadata} files with Flink's own loader and prints them as JSON in the shape of
 * the TypeScript model (packages/format/src/model.ts): longs as decimal strings, bytes as base64,
 * absent optional fields omitted, the same key names and {@code kind} discriminators.
 *
 * <p>Keys starting with {@code _} are extras that the model does not have (e.g. resolved absolute
 * paths, Java class names). See conformance/README.md for what Flink's objects cannot tell.
 *
 * <pre>
 *   dump FILE                   pretty JSON of one file (exit 1 with the error on stderr if Flink refuses it)
 *   dump --jsonl FILE...        one JSON line per file: {"path","ok":true,"metadata"} or {"path","ok":false,"error"}
 *   dump --jsonl --stdin        the same, file names read from standard input (one per line)
 * </pre>
 */
public final class Dump {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static void main(String[] args) throws Exception {
        boolean jsonl = false;
        boolean stdin = false;
        List<String> files = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--jsonl")) jsonl = true;
            else if (a.equals("--stdin")) stdin = true;
            else files.add(a);
        }
        if (stdin) {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) files.add(line.trim());
        }
        if (files.isEmpty()) {
            System.err.println("usage: dump [--jsonl] [--stdin] <_metadata>...");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (!jsonl) {
            if (files.size() != 1) {
                System.err.println("dump without --jsonl takes exactly one file");
                System.exit(2);
            }
            try {
                ObjectNode md = dumpFile(new File(files.get(0)));
                out.println(MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(md));
                out.flush();
            } catch (Exception e) {
                out.flush();
                System.err.println(errorText(e));
                System.exit(1);
            }
            return;
        }
        int failed = 0;
        for (String f : files) {
            ObjectNode line = F.objectNode();
            line.put("path", f);
            try {
                ObjectNode md = dumpFile(new File(f));
                line.put("ok", true);
                line.set("metadata", md);
            } catch (Throwable e) {
                failed++;
                line.put("ok", false);
                line.set("error", errorJson(e));
            }
            out.println(MAPPER.writeValueAsString(line));
            out.flush();
        }
        System.err.println("dump: " + (files.size() - failed) + " loaded, " + failed + " refused");
    }

    static String errorText(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (b.length() > 0) b.append(" <- ");
            b.append(t.getClass().getName()).append(": ").append(t.getMessage());
            if (t.getCause() == t) break;
        }
        return b.toString();
    }

    static ObjectNode errorJson(Throwable e) {
        ObjectNode n = F.objectNode();
        n.put("class", e.getClass().getName());
        n.put("message", String.valueOf(e.getMessage()));
        n.put("chain", errorText(e));
        return n;
    }

    /** Loads one file the way Flink does on restore; the external pointer is the file's directory. */
    public static CheckpointMetadata load(File metadataFile) throws IOException {
        File dir = metadataFile.getAbsoluteFile().getParentFile();
        String pointer = dir.toURI().toString();
        if (pointer.endsWith("/")) pointer = pointer.substring(0, pointer.length() - 1);
        try (InputStream in = Files.newInputStream(metadataFile.toPath());
             DataInputStream din = new DataInputStream(in)) {
            return Checkpoints.loadCheckpointMetadata(din, Dump.class.getClassLoader(), pointer);
        }
    }

    public static ObjectNode dumpFile(File metadataFile) throws IOException {
        int version;
        try (DataInputStream din = new DataInputStream(Files.newInputStream(metadataFile.toPath()))) {
            din.readInt(); // magic, checked by Flink's loader below
            version = din.readInt();
        }
        CheckpointMetadata md = load(metadataFile);
        ObjectNode n = toJson(md);
        if (n.has("properties")) {
            // does the file end with exactly the bytes this Flink would write for the trailer?
            byte[] raw = java.util.Base64.getDecoder().decode(n.get("properties").get("raw").asText());
            byte[] file = Files.readAllBytes(metadataFile.toPath());
            boolean same = file.length >= raw.length && java.util.Arrays.equals(
                    file, file.length - raw.length, file.length, raw, 0, raw.length);
            n.put("_trailerMatchesFile", same);
        }
        n.put("version", version);
        // keep "version" first, like the model's field order
        ObjectNode ordered = F.objectNode();
        ordered.put("version", version);
        n.fields().forEachRemaining(e -> { if (!e.getKey().equals("version")) ordered.set(e.getKey(), e.getValue()); });
        return ordered;
    }

    // ------------------------------------------------------------------------------------ model

    public static ObjectNode toJson(CheckpointMetadata md) throws IOException {
        ObjectNode n = F.objectNode();
        n.put("checkpointId", Long.toString(md.getCheckpointId()));
        ArrayNode masters = n.putArray("masterStates");
        for (MasterState m : md.getMasterStates()) {
            ObjectNode mn = masters.addObject();
            mn.put("name", m.name());
            mn.put("version", m.version());
            mn.put("payload", b64(m.bytes()));
        }
        ArrayNode ops = n.putArray("operators");
        for (OperatorState op : md.getOperatorStates()) ops.add(operator(op));
        CheckpointProperties props = md.getCheckpointProperties();
        if (props != null) {
            // Flink keeps only the deserialized object; re-serializing it gives the bytes this
            // Flink version's writer emits for it (== the file's trailer when written by it).
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
                oos.writeObject(props);
            }
            ObjectNode pn = n.putObject("properties");
            pn.put("raw", b64(bos.toByteArray()));
            n.set("_properties", propertiesJson(props));
        }
        return n;
    }

    static ObjectNode propertiesJson(CheckpointProperties p) {
        ObjectNode n = F.objectNode();
        // these getters are package-private in Flink
        for (String g : new String[] {"discardOnJobCancelled", "discardOnJobFailed", "discardOnJobFinished",
                "discardOnSubsumed", "discardOnJobSuspended", "forceCheckpoint"}) {
            n.put(g.equals("forceCheckpoint") ? "forced" : g, (Boolean) callHidden(p, g));
        }
        n.put("unclaimed", p.isUnclaimed());
        Object t = p.getCheckpointType();
        ObjectNode tn = n.putObject("checkpointType");
        tn.put("class", t.getClass().getName());
        tn.put("name", p.getCheckpointType().getName());
        tn.put("isSavepoint", p.getCheckpointType().isSavepoint());
        tn.put("sharingFilesStrategy", String.valueOf(p.getCheckpointType().getSharingFilesStrategy()));
        if (t instanceof org.apache.flink.runtime.checkpoint.SavepointType) {
            org.apache.flink.runtime.checkpoint.SavepointType st = (org.apache.flink.runtime.checkpoint.SavepointType) t;
            tn.put("formatType", String.valueOf(st.getFormatType()));
            tn.put("postCheckpointAction", String.valueOf(st.getPostCheckpointAction()));
        }
        tn.put("serialVersionUID", Long.toString(java.io.ObjectStreamClass.lookup(t.getClass()).getSerialVersionUID()));
        return n;
    }

    static Object callHidden(Object target, String method) {
        try {
            Method m = target.getClass().getDeclaredMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + method, e);
        }
    }

    static ObjectNode operator(OperatorState op) {
        ObjectNode n = F.objectNode();
        n.put("operatorId", op.getOperatorID().toHexString());
        optionalString(op, "getOperatorName").ifPresent(s -> n.put("name", s));
        optionalString(op, "getOperatorUid").ifPresent(s -> n.put("uid", s));
        n.put("parallelism", op.getParallelism());
        n.put("maxParallelism", op.getMaxParallelism());
        ByteStreamStateHandle coord = op.getCoordinatorState();
        n.set("coordinatorState", coord == null ? F.nullNode() : stream(coord));
        if (op.isFullyFinished()) n.put("finishedMarker", -1);
        ArrayNode subs = n.putArray("subtasks");
        for (Map.Entry<Integer, OperatorSubtaskState> e : op.getSubtaskStates().entrySet()) {
            subs.add(subtask(e.getKey(), e.getValue()));
        }
        if (op.isFullyFinished()) n.put("_class", op.getClass().getName());
        return n;
    }

    /** V5+ name/uid: Optional getters exist only in Flink 2.x; empty Optional = stored as "". */
    static Optional<String> optionalString(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            Object v = m.invoke(target);
            if (v instanceof Optional) {
                @SuppressWarnings("unchecked")
                Optional<String> o = (Optional<String>) v;
                return o;
            }
            return Optional.ofNullable((String) v);
        } catch (NoSuchMethodException e) {
            return Optional.empty();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode subtask(int index, OperatorSubtaskState s) {
        ObjectNode n = F.objectNode();
        n.put("index", index);
        if (s.isFinished()) n.put("finished", true);
        n.set("managedOperatorState", operatorHandle(single(s.getManagedOperatorState(), "managedOperatorState")));
        n.set("rawOperatorState", operatorHandle(single(s.getRawOperatorState(), "rawOperatorState")));
        n.set("managedKeyedState", keyed(single(s.getManagedKeyedState(), "managedKeyedState")));
        n.set("rawKeyedState", keyed(single(s.getRawKeyedState(), "rawKeyedState")));
        ArrayNode in = n.putArray("inputChannelState");
        for (Object h : s.getInputChannelState()) in.add(channel(h, true));
        ArrayNode outp = n.putArray("resultSubpartitionState");
        for (Object h : s.getResultSubpartitionState()) outp.add(channel(h, false));
        // Flink 2.3+: restored-but-not-yet-rewritten upstream output buffers (not part of the model)
        try {
            Method m = s.getClass().getMethod("getUpstreamOutputBufferState");
            Collection<?> c = (Collection<?>) m.invoke(s);
            if (c != null && !c.isEmpty()) {
                ArrayNode up = n.putArray("_upstreamOutputBufferState");
                for (Object h : c) up.add(channel(h, true));
            }
        } catch (NoSuchMethodException ignored) {
            // older Flink
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    static <T> T single(Collection<T> c, String what) {
        if (c == null || c.isEmpty()) return null;
        if (c.size() > 1) throw new IllegalStateException(what + " has " + c.size() + " handles; _metadata holds at most one");
        Iterator<T> it = c.iterator();
        return it.next();
    }

    // -------------------------------------------------------------------------------- handles

    static JsonNode stream(StreamStateHandle h) {
        if (h == null) return F.nullNode();
        ObjectNode n = F.objectNode();
        if (h instanceof KeyGroupsStateHandle) {
            // a key-groups handle where a stream handle is expected (tag 3)
            return keyGroups((KeyGroupsStateHandle) h, false);
        } else if (h instanceof RelativeFileStateHandle) {
            RelativeFileStateHandle r = (RelativeFileStateHandle) h;
            n.put("kind", "relativeFile");
            n.put("relativePath", r.getRelativePath());
            n.put("size", Long.toString(r.getStateSize()));
            n.put("_path", r.getFilePath().toString());
        } else if (h instanceof EmptySegmentFileStateHandle) {
            n.put("kind", "emptySegmentFile");
        } else if (h instanceof SegmentFileStateHandle) {
            SegmentFileStateHandle s = (SegmentFileStateHandle) h;
            n.put("kind", "segmentFile");
            n.put("startPos", Long.toString(s.getStartPos()));
            n.put("size", Long.toString(s.getStateSize()));
            n.put("scope", s.getScope().ordinal());
            n.put("physicalPath", s.getFilePath().toString());
            n.put("logicalFileId", s.getLogicalFileId().getKeyString());
        } else if (h instanceof FileStateHandle) {
            FileStateHandle f = (FileStateHandle) h;
            n.put("kind", "file");
            n.put("path", f.getFilePath().toString());
            n.put("size", Long.toString(f.getStateSize()));
        } else if (h instanceof ByteStreamStateHandle) {
            ByteStreamStateHandle b = (ByteStreamStateHandle) h;
            n.put("kind", "byteStream");
            n.put("name", b.getHandleName());
            n.put("data", b64(b.getData()));
        } else {
            n.put("kind", "unknown");
        }
        if (!h.getClass().getPackageName().startsWith("org.apache.flink.runtime.state")
                || n.get("kind").asText().equals("unknown")) {
            n.put("_class", h.getClass().getName());
        }
        return n;
    }

    static ObjectNode range(KeyGroupRange r) {
        ObjectNode n = F.objectNode();
        n.put("start", r.getStartKeyGroup());
        n.put("count", r.getNumberOfKeyGroups());
        return n;
    }

    static ObjectNode keyGroups(KeyGroupsStateHandle h, boolean keyedContext) {
        ObjectNode n = F.objectNode();
        boolean savepoint = h instanceof KeyGroupsSavepointStateHandle;
        n.put("kind", savepoint && keyedContext ? "savepointKeyGroups" : "keyGroups");
        KeyGroupRange r = h.getKeyGroupRange();
        n.set("keyGroupRange", range(r));
        ArrayNode offs = n.putArray("offsets");
        for (int kg = r.getStartKeyGroup(); kg <= r.getEndKeyGroup(); kg++) {
            offs.add(Long.toString(h.getGroupRangeOffsets().getKeyGroupOffset(kg)));
        }
        n.set("delegate", stream(h.getDelegateStateHandle()));
        if (!(savepoint && keyedContext)) n.put("stateHandleId", h.getStateHandleId().getKeyString());
        if (savepoint && !keyedContext) n.put("_class", h.getClass().getName());
        return n;
    }

    static JsonNode keyed(KeyedStateHandle h) {
        if (h == null) return F.nullNode();
        if (h instanceof KeyGroupsStateHandle) return keyGroups((KeyGroupsStateHandle) h, true);
        ObjectNode n = F.objectNode();
        if (h instanceof IncrementalRemoteKeyedStateHandle) {
            IncrementalRemoteKeyedStateHandle i = (IncrementalRemoteKeyedStateHandle) h;
            n.put("kind", "incremental");
            n.put("checkpointId", Long.toString(i.getCheckpointId()));
            n.put("backendId", i.getBackendIdentifier().toString());
            n.set("keyGroupRange", range(i.getKeyGroupRange()));
            n.put("checkpointedSize", Long.toString(i.getCheckpointedSize()));
            n.set("metaStateHandle", stream(i.getMetaDataStateHandle()));
            n.set("sharedState", handleAndLocalPaths(i.getSharedState()));
            n.set("privateState", handleAndLocalPaths(i.getPrivateState()));
            n.put("stateHandleId", i.getStateHandleId().getKeyString());
            if (i.getClass() != IncrementalRemoteKeyedStateHandle.class) n.put("_class", i.getClass().getName());
        } else if (h instanceof ChangelogStateBackendHandle) {
            ChangelogStateBackendHandle c = (ChangelogStateBackendHandle) h;
            n.put("kind", "changelog");
            n.set("keyGroupRange", range(c.getKeyGroupRange()));
            n.put("checkpointedSize", Long.toString(c.getCheckpointedSize()));
            ArrayNode mat = n.putArray("materialized");
            for (KeyedStateHandle k : c.getMaterializedStateHandles()) mat.add(keyed(k));
            ArrayNode non = n.putArray("nonMaterialized");
            for (KeyedStateHandle k : c.getNonMaterializedStateHandles()) non.add(keyed(k));
            n.put("materializationId", Long.toString(c.getMaterializationID()));
            n.put("checkpointId", Long.toString(c.getCheckpointId()));
            n.put("stateHandleId", c.getStateHandleId().getKeyString());
        } else if (h instanceof InMemoryChangelogStateHandle) {
            InMemoryChangelogStateHandle m = (InMemoryChangelogStateHandle) h;
            n.put("kind", "inMemoryChangelog");
            n.set("keyGroupRange", range(m.getKeyGroupRange()));
            n.put("from", Long.toString(m.getFrom()));
            n.put("to", Long.toString(m.getTo()));
            ArrayNode ch = n.putArray("changes");
            for (StateChange sc : m.getChanges()) {
                ObjectNode cn = ch.addObject();
                cn.put("keyGroup", sc.getKeyGroup());
                cn.put("data", b64(sc.getChange()));
            }
            n.put("stateHandleId", m.getStateHandleId().getKeyString());
        } else if (h instanceof ChangelogStateHandleStreamImpl) {
            ChangelogStateHandleStreamImpl c = (ChangelogStateHandleStreamImpl) h;
            n.put("kind", "changelogFile");
            n.set("keyGroupRange", range(c.getKeyGroupRange()));
            ArrayNode segs = n.putArray("segments");
            for (Tuple2<StreamStateHandle, Long> t : c.getHandlesAndOffsets()) {
                ObjectNode sn = segs.addObject();
                sn.put("offset", Long.toString(t.f1));
                sn.set("handle", stream(t.f0));
            }
            n.put("stateSize", Long.toString(c.getStateSize()));
            n.put("checkpointedSize", Long.toString(c.getCheckpointedSize()));
            n.put("stateHandleId", c.getStateHandleId().getKeyString());
            n.put("storageIdentifier", c.getStorageIdentifier());
        } else {
            n.put("kind", "unknown");
            n.put("_class", h.getClass().getName());
        }
        return n;
    }

    static ArrayNode handleAndLocalPaths(List<HandleAndLocalPath> list) {
        ArrayNode a = F.arrayNode();
        for (HandleAndLocalPath p : list) {
            ObjectNode n = a.addObject();
            n.put("localPath", p.getLocalPath());
            n.set("handle", stream(p.getHandle()));
        }
        return a;
    }

    static JsonNode operatorHandle(OperatorStateHandle h) {
        if (h == null) return F.nullNode();
        ObjectNode n = F.objectNode();
        boolean merging = h instanceof FileMergingOperatorStreamStateHandle;
        n.put("kind", merging ? "fileMergingOperatorStream" : h instanceof OperatorStreamStateHandle ? "operatorStream" : "unknown");
        ArrayNode states = n.putArray("states");
        for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> e : h.getStateNameToPartitionOffsets().entrySet()) {
            ObjectNode s = states.addObject();
            s.put("name", e.getKey());
            s.put("mode", e.getValue().getDistributionMode().name());
            ArrayNode offs = s.putArray("offsets");
            for (long o : e.getValue().getOffsets()) offs.add(Long.toString(o));
        }
        if (merging) {
            FileMergingOperatorStreamStateHandle m = (FileMergingOperatorStreamStateHandle) h;
            n.put("taskOwnedDir", m.getTaskOwnedDirHandle().getDirectory().toString());
            n.put("sharedDir", m.getSharedDirHandle().getDirectory().toString());
            n.put("isEmpty", h instanceof EmptyFileMergingOperatorStreamStateHandle);
        }
        n.set("delegate", stream(h.getDelegateStateHandle()));
        if (n.get("kind").asText().equals("unknown")) n.put("_class", h.getClass().getName());
        return n;
    }

    static JsonNode channel(Object h, boolean input) {
        ObjectNode n = F.objectNode();
        if (h instanceof AbstractChannelStateHandle) {
            AbstractChannelStateHandle<?> c = (AbstractChannelStateHandle<?>) h;
            if (h instanceof InputChannelStateHandle) {
                InputChannelInfo info = ((InputChannelStateHandle) h).getInfo();
                n.put("kind", "inputChannel");
                n.put("gateIndex", info.getGateIdx());
                n.put("inputChannelIndex", info.getInputChannelIdx());
            } else if (h instanceof ResultSubpartitionStateHandle) {
                ResultSubpartitionInfo info = ((ResultSubpartitionStateHandle) h).getInfo();
                n.put("kind", "resultSubpartition");
                n.put("partitionIndex", info.getPartitionIdx());
                n.put("subpartitionIndex", info.getSubPartitionIdx());
            }
            n.put("subtaskIndex", c.getSubtaskIndex());
            ArrayNode offs = n.putArray("offsets");
            for (Long o : c.getOffsets()) offs.add(Long.toString(o));
            n.put("stateSize", Long.toString(c.getStateSize()));
            n.set("delegate", stream(c.getDelegate()));
            return n;
        }
        String cls = h.getClass().getName();
        if (cls.endsWith(".MergedInputChannelStateHandle") || cls.endsWith(".MergedResultSubpartitionStateHandle")) {
            // Flink 2.1+: several channels of one subtask share one delegate; Flink decodes the
            // per-channel offsets blob itself (getUnmergedHandles), we print what it decoded.
            boolean in = cls.endsWith(".MergedInputChannelStateHandle");
            n.put("kind", in ? "mergedInputChannels" : "mergedResultSubpartitions");
            try {
                Class<?> base = h.getClass().getSuperclass();
                n.put("subtaskIndex", (Integer) base.getMethod("getSubtaskIndex").invoke(h));
                n.put("stateSize", Long.toString((Long) base.getMethod("getStateSize").invoke(h)));
                n.set("delegate", stream((StreamStateHandle) base.getMethod("getDelegate").invoke(h)));
                Method um = base.getDeclaredMethod("getUnmergedHandles");
                um.setAccessible(true);
                Collection<?> unmerged = (Collection<?>) um.invoke(h);
                ArrayNode chans = n.putArray("channels");
                for (Object u : unmerged) {
                    AbstractChannelStateHandle<?> c = (AbstractChannelStateHandle<?>) u;
                    ObjectNode cn = chans.addObject();
                    if (in) {
                        InputChannelInfo info = (InputChannelInfo) c.getInfo();
                        cn.put("infoA", info.getGateIdx());
                        cn.put("infoB", info.getInputChannelIdx());
                    } else {
                        ResultSubpartitionInfo info = (ResultSubpartitionInfo) c.getInfo();
                        cn.put("infoA", info.getPartitionIdx());
                        cn.put("infoB", info.getSubPartitionIdx());
                    }
                    cn.put("stateSize", Long.toString(c.getStateSize()));
                    ArrayNode offs = cn.putArray("offsets");
                    for (Long o : c.getOffsets()) offs.add(Long.toString(o));
                }
                byte[] blob = (byte[]) base.getMethod("getSerializedChannelOffsets").invoke(h);
                n.put("_serializedChannelOffsets", b64(blob));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + cls, e);
            }
            return n;
        }
        n.put("kind", "unknown");
        n.put("_class", cls);
        return n;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
