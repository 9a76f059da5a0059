package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Input for bench/keyed.mjs: the keyed job's operator (uid {@code keyed}, the four states of
 * {@link Jobs.Descriptors}, parallelism 2, max parallelism 128) fed with {@code KEYS × PER_KEY}
 * numbers as fast as the MiniCluster takes them, then a canonical savepoint of the HashMap
 * backend written into DIR (with manifest.json; its {@code metadataPath} names the
 * {@code _metadata}). Usage:
 * {@code keyed-bench-savepoint DIR KEYS PER_KEY [rocksdb-native|rocksdb-incremental]}: the last
 * argument keeps the state in the RocksDB backend and writes a NATIVE savepoint of it, or a
 * retained incremental checkpoint ({@code DIR/<job id>/chk-N} with its {@code shared/} files).
 *
 * <p>Number v goes to key {@code "k" + (v % KEYS)}; every key then holds one sum, one list of
 * PER_KEY values, PER_KEY map entries and one max: {@code KEYS × (3 + PER_KEY)} entries as ckpt
 * and {@link KeyedRead} count them.
 */
public final class KeyedBench {
    private KeyedBench() {}

    public static void main(String[] args) throws Exception {
        String variant = args.length == 4 ? args[3] : "heap";
        if ((args.length != 3 && args.length != 4)
                || !(variant.equals("heap") || variant.equals("rocksdb-native") || variant.equals("rocksdb-incremental"))) {
            System.err.println("usage: keyed-bench-savepoint DIR KEYS PER_KEY [rocksdb-native|rocksdb-incremental]");
            System.exit(2);
        }
        Path dir = Paths.get(args[0]).toAbsolutePath().normalize();
        long keys = Long.parseLong(args[1]);
        long perKey = Long.parseLong(args[2]);
        if (keys < 1 || perKey < 1) throw new IllegalArgumentException("KEYS and PER_KEY must be positive");
        String what = variant.equals("heap") ? "HashMap backend, canonical savepoint"
                : variant.equals("rocksdb-native") ? "RocksDB backend, NATIVE savepoint"
                : "RocksDB backend, incremental retained checkpoint";
        Generate.Scenario s = new Generate.Scenario("keyed-bench-" + variant,
                "Keyed Value/List/Map/Reducing state of " + keys + " keys with " + perKey
                        + " values each, " + what + " (bench input)")
                .settle(0)
                .job((env, sc) -> job(env, keys, perKey));
        if (variant.equals("rocksdb-native")) s.backend("rocksdb").nativeFormat().incremental();
        if (variant.equals("rocksdb-incremental")) s.backend("rocksdb").checkpoint().incremental();
        long t0 = System.nanoTime();
        ObjectNode m = Generate.run(s, dir, EnvironmentInformation.getVersion());
        System.err.printf("keyed-bench-savepoint " + variant + ": %d keys x %d values, %d bytes in %d files, %d ms%n",
                keys, perKey, m.get("bytes").asLong(), m.get("files").asLong(), (System.nanoTime() - t0) / 1_000_000);
    }

    static Jobs.Built job(StreamExecutionEnvironment env, long keys, long perKey) {
        long n = keys * perKey;
        DataGeneratorSource<Long> src = new DataGeneratorSource<>(idx -> idx, Long.MAX_VALUE, new FirstThenIdle(n), Types.LONG);
        DataStream<Long> numbers = env.fromSource(src, WatermarkStrategy.noWatermarks(), "source")
                .uid("source").name("source").setParallelism(1)
                .filter(v -> v < n).uid("source-filter").name("source-filter").setParallelism(1);
        numbers.keyBy(v -> "k" + (v % keys), Types.STRING)
                .process(new Jobs.KeyedStates(false)).uid("keyed").name("keyed-state")
                .setParallelism(2).setMaxParallelism(128)
                .sinkTo(new DiscardingSink<>()).uid("sink").name("sink").setParallelism(2);
        Jobs.Built b = new Jobs.Built();
        b.expectedTicks = n;
        ObjectNode k = b.expected.putObject("keyedBench");
        k.put("operatorUid", "keyed");
        k.put("keys", keys);
        k.put("valuesPerKey", perKey);
        k.put("entries", keys * (3 + perKey));
        k.put("note", "per key: sum (ValueState), values (ListState, one entry), byValue (MapState, one entry per value), "
                + "max (ReducingState); v goes to key \"k\" + (v % keys)");
        return b;
    }

    /**
     * Lets the first {@code n} records through at once, then one record per 100 ms: the job keeps
     * running (an unbounded source, so a savepoint can be taken) without spinning on numbers the
     * filter drops.
     */
    static final class FirstThenIdle implements RateLimiterStrategy {
        private final long n;

        FirstThenIdle(long n) {
            this.n = n;
        }

        @Override
        public RateLimiter createRateLimiter(int parallelism) {
            return new RateLimiter() {
                private long granted;

                @Override
                public CompletionStage<Void> acquire(int permits) {
                    granted += permits;
                    if (granted <= n) return CompletableFuture.completedFuture(null);
                    return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
                }
            };
        }
    }
}
