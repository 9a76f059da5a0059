package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;
import org.rocksdb.WriteOptions;

import java.io.BufferedWriter;
import java.io.File;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * RocksJava as Flink ships it (frocksdbjni of this line), for the {@code @ckpt/rocksdb} oracle tests
 * and {@code bench/rocksdb-scan.mjs}:
 *
 * <pre>
 * rocks-oracle write DIR SPEC.json [DIR SPEC.json]...  DB with Flink's options, operations of the spec, closed
 * rocks-oracle scan DIR [DIR]...            every CF's entries as RocksDB's iterator returns them
 * rocks-oracle sst-bench ROUNDS [--warmup N] FILE...   SstFileReader full scans, min/median ms
 * </pre>
 *
 * <p>Options come from Flink's own {@code RocksDBResourceContainer} (found by name: its package
 * moved in 2.0): DB options, column options and write options (WAL disabled), plus what the keyed
 * backend adds per state: merge operator {@code stringappendtest}, and — as with managed memory,
 * Flink's default — a {@code new BlockBasedTableConfig()} (this JNI's Java defaults: format_version,
 * checksum) with a shared LRU cache and cached, pinned index and filter blocks. Column families
 * are created after opening, one per state, as Flink does.
 *
 * <p>Spec: {@code {"columnFamilies":[names], "partitionedIndex":false, "writeBufferMiB":64, "formatVersion":6,
 * "checksum":"kxxHash64", "compression":"ZSTD_COMPRESSION", "indexBlockRestartInterval":4, "ops":[...]}} (all but
 * columnFamilies and ops optional) with ops
 * {@code put|merge {cf,key,value}}, {@code delete|singleDelete {cf,key}}, {@code deleteRange
 * {cf,key,end}} (hex), {@code flush} (every CF), {@code compact {cf?}} and {@code fill {cf, count,
 * seed, valueBytes, keyGroups, flushEveryMiB}} (pseudo-random Flink-like keys: 2-byte key group,
 * 8-byte key, 1-byte namespace; half-random values; for the bench). Auto compactions are off, so
 * files stay as the spec makes them. scan prints {@code {"cf":name,"key":hex,"value":hex}} lines
 * (with {@code "db":index} first when it scans several DBs).
 */
final class RocksOracle {
    private RocksOracle() {}

    private static final String[] CONTAINERS = {
        "org.apache.flink.state.rocksdb.RocksDBResourceContainer", // 2.x
        "org.apache.flink.contrib.streaming.state.RocksDBResourceContainer", // 1.x
    };

    /** Flink's RocksDBKeyedStateBackend.MERGE_OPERATOR_NAME. */
    static final String MERGE_OPERATOR = "stringappendtest";

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: rocks-oracle (write DIR SPEC.json | scan DIR | sst-bench ROUNDS [--warmup N] FILE...)");
            System.exit(2);
        }
        RocksDB.loadLibrary();
        switch (args[0]) {
            case "write":
                for (int i = 1; i + 1 < args.length; i += 2) write(args[i], new ObjectMapper().readTree(new File(args[i + 1])));
                break;
            case "scan": {
                BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
                for (int i = 1; i < args.length; i++) scan(args[i], args.length > 2 ? "\"db\":" + (i - 1) + "," : "", out);
                out.flush();
                break;
            }
            case "sst-bench": sstBench(Arrays.copyOfRange(args, 1, args.length)); break;
            default:
                System.err.println("unknown rocks-oracle command " + args[0]);
                System.exit(2);
        }
    }

    /** Flink's resource container and the options it hands out (closed together). */
    static final class FlinkOptions implements AutoCloseable {
        final AutoCloseable container;
        final DBOptions db;
        final ColumnFamilyOptions column;
        final WriteOptions write;
        private final LRUCache cache = new LRUCache(64L << 20);

        FlinkOptions(JsonNode spec) throws Exception {
            Object c = null;
            for (String name : CONTAINERS) {
                try {
                    c = Class.forName(name).getConstructor().newInstance();
                    break;
                } catch (ClassNotFoundException e) {
                    // the other line's package
                }
            }
            if (c == null) throw new IllegalStateException("no RocksDBResourceContainer on the class path");
            container = (AutoCloseable) c;
            db = (DBOptions) c.getClass().getMethod("getDbOptions").invoke(c);
            db.setCreateIfMissing(true);
            column = (ColumnFamilyOptions) c.getClass().getMethod("getColumnOptions").invoke(c);
            write = (WriteOptions) c.getClass().getMethod("getWriteOptions").invoke(c);
            column.setMergeOperatorName(MERGE_OPERATOR);
            column.setDisableAutoCompactions(true);
            BlockBasedTableConfig table = column.tableFormatConfig() instanceof BlockBasedTableConfig b ? b : new BlockBasedTableConfig();
            table.setBlockCache(cache)
                    .setCacheIndexAndFilterBlocks(true)
                    .setCacheIndexAndFilterBlocksWithHighPriority(true)
                    .setPinL0FilterAndIndexBlocksInCache(true);
            if (spec.has("writeBufferMiB")) column.setWriteBufferSize(spec.get("writeBufferMiB").asLong() << 20);
            // variants a user's RocksDBOptionsFactory can choose (Flink's defaults stay otherwise)
            if (spec.has("formatVersion")) table.setFormatVersion(spec.get("formatVersion").asInt());
            if (spec.has("checksum")) table.setChecksumType(org.rocksdb.ChecksumType.valueOf(spec.get("checksum").asText()));
            if (spec.has("compression")) { // Flink sets compression per level (state.backend.rocksdb.compression.per.level)
                org.rocksdb.CompressionType type = org.rocksdb.CompressionType.valueOf(spec.get("compression").asText());
                column.setCompressionType(type);
                column.setCompressionPerLevel(java.util.Collections.nCopies(column.numLevels(), type));
            }
            if (spec.has("indexBlockRestartInterval")) table.setIndexBlockRestartInterval(spec.get("indexBlockRestartInterval").asInt());
            if (spec.path("partitionedIndex").asBoolean(false)) { // state.backend.rocksdb.memory.partitioned-index-filters
                table.setFilterPolicy(new BloomFilter(10, false))
                        .setIndexType(IndexType.kTwoLevelIndexSearch)
                        .setPartitionFilters(true)
                        .setPinTopLevelIndexAndFilter(true);
            }
            column.setTableFormatConfig(table);
        }

        @Override
        public void close() throws Exception {
            container.close();
            cache.close();
        }
    }

    static void write(String dir, JsonNode spec) throws Exception {
        try (FlinkOptions opts = new FlinkOptions(spec);
                RocksDB db = RocksDB.open(opts.db, dir, List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, opts.column)), new ArrayList<>())) {
            Map<String, ColumnFamilyHandle> cfs = new HashMap<>();
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                for (JsonNode n : spec.path("columnFamilies")) {
                    cfs.put(n.asText(), db.createColumnFamily(new ColumnFamilyDescriptor(n.asText().getBytes(StandardCharsets.UTF_8), opts.column)));
                }
                List<ColumnFamilyHandle> all = new ArrayList<>(cfs.values());
                for (JsonNode op : spec.path("ops")) apply(db, opts.write, flush, cfs, all, op);
                db.flush(flush, all);
            } finally {
                for (ColumnFamilyHandle h : cfs.values()) h.close();
            }
        }
    }

    private static void apply(RocksDB db, WriteOptions w, FlushOptions flush, Map<String, ColumnFamilyHandle> cfs, List<ColumnFamilyHandle> all, JsonNode op)
            throws Exception {
        String kind = op.path("op").asText();
        ColumnFamilyHandle cf = op.has("cf") ? cfs.get(op.get("cf").asText()) : null;
        if (op.has("cf") && cf == null) throw new IllegalArgumentException("unknown column family in " + op);
        switch (kind) {
            case "put": db.put(cf, w, hex(op, "key"), hex(op, "value")); break;
            case "merge": db.merge(cf, w, hex(op, "key"), hex(op, "value")); break;
            case "delete": db.delete(cf, w, hex(op, "key")); break;
            case "singleDelete": db.singleDelete(cf, w, hex(op, "key")); break;
            case "deleteRange": db.deleteRange(cf, w, hex(op, "key"), hex(op, "end")); break;
            case "flush": db.flush(flush, all); break;
            case "compact":
                if (cf != null) db.compactRange(cf);
                else for (ColumnFamilyHandle h : all) db.compactRange(h);
                break;
            case "fill": fill(db, w, flush, cf, op); break;
            default: throw new IllegalArgumentException("unknown op " + op);
        }
    }

    /** {@code count} pseudo-random Flink-like entries, flushed every {@code flushEveryMiB} of key + value bytes. */
    private static void fill(RocksDB db, WriteOptions w, FlushOptions flush, ColumnFamilyHandle cf, JsonNode op) throws Exception {
        long count = op.path("count").asLong();
        int valueBytes = op.path("valueBytes").asInt(100);
        int keyGroups = op.path("keyGroups").asInt(128);
        long flushEvery = op.path("flushEveryMiB").asLong(64) << 20;
        SplittableRandom rnd = new SplittableRandom(op.path("seed").asLong(1));
        byte[] key = new byte[11];
        byte[] value = new byte[valueBytes];
        long pending = 0;
        for (long i = 0; i < count; i++) {
            int kg = rnd.nextInt(keyGroups);
            long k = rnd.nextLong();
            key[0] = (byte) (kg >>> 8);
            key[1] = (byte) kg;
            for (int b = 0; b < 8; b++) key[2 + b] = (byte) (k >>> (56 - 8 * b));
            key[10] = 0; // VoidNamespace
            for (int b = 0; b < valueBytes / 2; b++) value[b] = (byte) rnd.nextInt(256);
            for (int b = valueBytes / 2; b < valueBytes; b++) value[b] = (byte) ('a' + (b & 15));
            db.put(cf, w, key, value);
            pending += key.length + value.length;
            if (pending >= flushEvery) {
                db.flush(flush, cf);
                pending = 0;
            }
        }
    }

    static void scan(String dir, String tag, BufferedWriter out) throws Exception {
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, dir);
        }
        try (FlinkOptions opts = new FlinkOptions(MissingNode.getInstance())) {
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] n : names) descriptors.add(new ColumnFamilyDescriptor(n, opts.column));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.openReadOnly(opts.db, dir, descriptors, handles)) {
                for (int i = 0; i < handles.size(); i++) {
                    String cf = new ObjectMapper().writeValueAsString(new String(names.get(i), StandardCharsets.UTF_8));
                    try (RocksIterator it = db.newIterator(handles.get(i))) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            out.write("{" + tag + "\"cf\":" + cf + ",\"key\":\"" + toHex(it.key()) + "\",\"value\":\"" + toHex(it.value()) + "\"}\n");
                        }
                        it.status();
                    }
                }
            } finally {
                for (ColumnFamilyHandle h : handles) h.close();
            }
        }
    }

    /** Full scans of the files with SstFileReader (key and value copied out of every entry). */
    static void sstBench(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int warmup = 1;
        int at = 1;
        if (args.length > 2 && args[1].equals("--warmup")) {
            warmup = Integer.parseInt(args[2]);
            at = 3;
        }
        String[] files = Arrays.copyOfRange(args, at, args.length);
        long[] last = new long[2];
        double[] ms = new double[rounds];
        try (FlinkOptions flink = new FlinkOptions(MissingNode.getInstance()); Options opts = new Options(flink.db, flink.column); ReadOptions ro = new ReadOptions()) {
            for (int r = -warmup; r < rounds; r++) {
                long t0 = System.nanoTime();
                last = scanFiles(opts, ro, files);
                if (r >= 0) ms[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("{\"rounds\":%d,\"minMs\":%.3f,\"medianMs\":%.3f,\"entries\":%d,\"bytes\":%d,\"peakRssMiB\":%d}%n",
                rounds, sorted[0], sorted[rounds / 2], last[0], last[1], AssignBench.peakRssKiB() >> 10);
    }

    private static long[] scanFiles(Options opts, ReadOptions ro, String[] files) throws Exception {
        long entries = 0;
        long bytes = 0;
        for (String f : files) {
            try (SstFileReader reader = new SstFileReader(opts)) {
                reader.open(f);
                try (SstFileReaderIterator it = reader.newIterator(ro)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        bytes += it.key().length + it.value().length;
                        entries++;
                    }
                    it.status();
                }
            }
        }
        return new long[] {entries, bytes};
    }

    private static byte[] hex(JsonNode op, String field) {
        String s = op.path(field).asText();
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    private static String toHex(byte[] b) {
        char[] digits = "0123456789abcdef".toCharArray();
        char[] out = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = digits[(b[i] >> 4) & 15];
            out[2 * i + 1] = digits[b[i] & 15];
        }
        return new String(out);
    }
}
