package dev.ckpt.conformance;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.MasterTriggerRestoreHook;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A master hook registered under a given identifier that records what Flink's
 * {@code MasterHooks.restoreMasterHooks} hands it (stored state bytes, or null).
 */
final class MasterHookProbe implements MasterTriggerRestoreHook<byte[]> {
    final String id;
    boolean restored;
    byte[] state;

    MasterHookProbe(String id) {
        this.id = id;
    }

    @Override
    public String getIdentifier() {
        return id;
    }

    @Override
    public CompletableFuture<byte[]> triggerCheckpoint(long checkpointId, long timestamp, Executor executor) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void restoreCheckpoint(long checkpointId, byte[] checkpointData) {
        restored = true;
        state = checkpointData;
    }

    @Override
    public SimpleVersionedSerializer<byte[]> createCheckpointDataSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(byte[] obj) {
                return obj;
            }

            @Override
            public byte[] deserialize(int version, byte[] serialized) {
                return serialized;
            }
        };
    }
}
