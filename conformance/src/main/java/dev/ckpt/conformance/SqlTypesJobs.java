package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job behind the sql-types-* fixtures: one deterministic input (a few rows per key) turned into
 * columns of the SQL logical types the sql-* job does not store (CHAR(n), BINARY(n), VARBINARY(n),
 * TIMESTAMP(9), TIMESTAMP_LTZ(6) / (9), DECIMAL(38, 10) next to DECIMAL(10, 2), INTERVAL YEAR TO
 * MONTH and DAY TO SECOND, ARRAY of ROW, MAP of ARRAY, MULTISET, RAW of a POJO of this jar), kept in
 * state by a deduplication (whole rows) and a group aggregate (MAX, COLLECT and an aggregate function
 * whose accumulator is RAW). The expected contents go to the manifest ("expected.sqlTypes"), in the
 * form ckpt prints them.
 */
final class SqlTypesJobs {
    private SqlTypesJobs() {}

    static final int ROWS = 9;
    static final String[] WORDS = {"k0", "k1", "k2"};
    static final long BASE = 1_700_000_000_000L;
    static final String WIDE = "12345678901234567890.";

    static String word(long v) { return WORDS[(int) (v % WORDS.length)]; }

    /** A POJO of the job, stored as SQL RAW (the planner serializes a RAW of a class with Kryo). */
    public static class Money {
        public String currency;
        public long cents;
        public Money() {}
        public Money(String currency, long cents) { this.currency = currency; this.cents = cents; }
    }

    /** RAW of {@link Money}: cents = 100 n + 5. */
    public static class ToMoney extends ScalarFunction {
        public @DataTypeHint(value = "RAW", bridgedTo = Money.class) Money eval(String w, Long n) {
            return new Money(w.toUpperCase(), n * 100 + 5);
        }
    }

    /** A MULTISET: the word once, "x" (n % 3 + 1) times. */
    public static class ToMultiset extends ScalarFunction {
        public @DataTypeHint("MULTISET<STRING>") Map<String, Integer> eval(String w, Long n) {
            Map<String, Integer> m = new HashMap<>();
            m.put(w, 1);
            m.put("x", (int) (n % 3) + 1);
            return m;
        }
    }

    /** A VARBINARY(8) (a CAST would pad it to 8 bytes on 1.20): the digits of 11 n. */
    public static class ToBytes extends ScalarFunction {
        public @DataTypeHint("VARBINARY(8)") byte[] eval(Long n) {
            return Long.toString(n * 11).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Sums cents into a RAW accumulator (a {@link Money}). */
    @FunctionHint(accumulator = @DataTypeHint(value = "RAW", bridgedTo = Money.class))
    public static class SumMoney extends AggregateFunction<Long, Money> {
        @Override
        public Money createAccumulator() { return new Money("EUR", 0); }
        public void accumulate(Money acc, Long n) { acc.cents += n; }
        @Override
        public Long getValue(Money acc) { return acc.cents; }
    }

    static final class ToRow implements MapFunction<Long, Row> {
        @Override
        public Row map(Long v) {
            Jobs.TICKS.incrementAndGet();
            return Row.of(word(v), v, BASE + v * 1000);
        }
    }

    static final String TYPED = "SELECT word, n, ts, "
            + "CAST(word AS CHAR(5)) AS ch, "
            + "CAST(CAST(word AS BYTES) AS BINARY(4)) AS bin, "
            + "to_bytes(n) AS vbin, "
            + "TIMESTAMPADD(SECOND, CAST(n AS INT), TIMESTAMP '2024-01-01 00:00:00.123456789') AS ts9, "
            + "CAST(TIMESTAMPADD(SECOND, CAST(n AS INT), TIMESTAMP '2024-01-01 00:00:00.123456') AS TIMESTAMP_LTZ(6)) AS ltz6, "
            + "CAST(TIMESTAMPADD(SECOND, CAST(n AS INT), TIMESTAMP '2024-01-01 00:00:00.123456789') AS TIMESTAMP_LTZ(9)) AS ltz9, "
            + "CAST('" + WIDE + "' || CAST(n AS STRING) AS DECIMAL(38, 10)) AS wide, "
            + "CAST(CAST(n AS DECIMAL(10, 2)) + 0.25 AS DECIMAL(10, 2)) AS compact, "
            + "INTERVAL '1-2' YEAR TO MONTH * CAST(n AS INT) AS ym, "
            + "INTERVAL '1 02:03:04.567' DAY TO SECOND * CAST(n AS INT) AS dt, "
            + "ARRAY[ROW(word, n), ROW(word, n + 1)] AS arr_rows, "
            + "MAP[word, ARRAY[n, n * 2]] AS map_arr, "
            + "to_multiset(word, n) AS ms, "
            + "to_money(word, n) AS money "
            + "FROM input";

    static final Map<String, String> QUERIES = new LinkedHashMap<>();
    static {
        QUERIES.put("types_dedup",
                "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY word ORDER BY ts DESC) AS rn FROM typed) WHERE rn = 1");
        QUERIES.put("types_aggregate",
                "SELECT word, MAX(ch) AS max_ch, MAX(ts9) AS max_ts9, MAX(ltz6) AS max_ltz6, MAX(ltz9) AS max_ltz9, "
                        + "MAX(wide) AS max_wide, MAX(compact) AS max_compact, COLLECT(vbin) AS vbins, "
                        + "sum_money(n) AS cents FROM typed GROUP BY word");
    }

    static Jobs.Built sqlTypesJob(StreamExecutionEnvironment env) {
        env.setParallelism(2);
        env.setMaxParallelism(128);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        t.createTemporarySystemFunction("to_money", ToMoney.class);
        t.createTemporarySystemFunction("to_multiset", ToMultiset.class);
        t.createTemporarySystemFunction("to_bytes", ToBytes.class);
        t.createTemporarySystemFunction("sum_money", SumMoney.class);
        DataStream<Row> input = Jobs.numbers(env, "input", ROWS, 2000)
                .map(new ToRow()).uid("input-rows").name("input-rows").setParallelism(1)
                .returns(Types.ROW_NAMED(new String[] {"word", "n", "t"}, Types.STRING, Types.LONG, Types.LONG));
        t.createTemporaryView("input", t.fromDataStream(input, Schema.newBuilder()
                .columnByExpression("ts", "TO_TIMESTAMP_LTZ(t, 3)")
                .watermark("ts", "ts - INTERVAL '1' SECOND")
                .build()));
        t.createTemporaryView("typed", t.sqlQuery(TYPED));
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            t.toChangelogStream(t.sqlQuery(q.getValue())).sinkTo(new DiscardingSink<>()).name("sink-" + q.getKey());
        }
        Jobs.Built b = new Jobs.Built();
        b.expectedTicks = ROWS;
        b.settleMillis = 2000;
        b.expected.set("sqlTypes", expected());
        return b;
    }

    // ------------------------------------------------------------------ expected, as ckpt prints it

    private static String b64(byte[] b) { return Base64.getEncoder().encodeToString(b); }

    private static String ts(LocalDateTime t, int precision, boolean ltz) {
        String f = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss." + "S".repeat(precision)).format(t);
        return ltz ? f + "Z" : f;
    }

    static byte[] moneyBytes(Money m) {
        // the serializer the planner gives a RAW type of a class without one of its own
        TypeSerializer<Money> s = new KryoSerializer<>(Money.class, new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(32);
        try {
            s.serialize(m, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.getCopyOfBuffer();
    }

    private static ObjectNode raw(Money m) {
        ObjectNode o = Jobs.F.objectNode();
        o.put("kind", "raw").put("class", Money.class.getName()).put("bytes", b64(moneyBytes(m)));
        return o;
    }

    /** Column name -> the value ckpt prints for row v. */
    static ObjectNode typedRow(long v) {
        String w = word(v);
        LocalDateTime t9 = LocalDateTime.of(2024, 1, 1, 0, 0, 0, 123_456_789).plusSeconds(v);
        LocalDateTime t6 = LocalDateTime.of(2024, 1, 1, 0, 0, 0, 123_456_000).plusSeconds(v);
        ObjectNode r = Jobs.F.objectNode();
        r.put("word", w).put("n", v).put("ts", ts(LocalDateTime.ofEpochSecond((BASE + v * 1000) / 1000, 0, ZoneOffset.UTC), 3, true));
        r.put("ch", String.format("%-5s", w));
        r.put("bin", b64(java.util.Arrays.copyOf(w.getBytes(StandardCharsets.UTF_8), 4)));
        r.put("vbin", b64(Long.toString(v * 11).getBytes(StandardCharsets.UTF_8)));
        r.put("ts9", ts(t9, 9, false));
        r.put("ltz6", ts(t6, 6, true));
        r.put("ltz9", ts(t9, 9, true));
        r.put("wide", new BigDecimal(WIDE + v).setScale(10).toPlainString());
        r.put("compact", BigDecimal.valueOf(v * 100 + 25, 2).toPlainString());
        r.put("ym", 14 * v);
        r.put("dt", (((86_400L + 2 * 3600 + 3 * 60 + 4) * 1000) + 567) * v);
        ArrayNode rows = r.putArray("arr_rows");
        rows.addArray().add(w).add(v);
        rows.addArray().add(w).add(v + 1);
        r.putObject("map_arr").putArray(w).add(v).add(v * 2);
        r.putObject("ms").put(w, 1).put("x", v % 3 + 1);
        r.set("money", raw(new Money(w.toUpperCase(), v * 100 + 5)));
        return r;
    }

    static ObjectNode expected() {
        ObjectNode out = Jobs.F.objectNode();
        out.put("input", "word = [k0,k1,k2][v%3], n = v, ts = " + BASE + " + v s, v = 0.." + (ROWS - 1)
                + "; session time zone UTC");
        out.put("typed", TYPED);
        ObjectNode qs = out.putObject("queries");
        String[][] ops = {{"Deduplicate", "0"}, {"GroupAggregate", "0"}};
        int i = 0;
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            qs.putObject(q.getKey()).put("sql", q.getValue()).put("operator", ops[i][0])
                    .put("occurrence", Integer.parseInt(ops[i][1]));
            i++;
        }
        TreeMap<String, Long> last = new TreeMap<>();
        TreeMap<String, java.util.List<Long>> all = new TreeMap<>();
        for (long v = 0; v < ROWS; v++) {
            last.put(word(v), v);
            all.computeIfAbsent(word(v), k -> new java.util.ArrayList<>()).add(v);
        }
        ArrayNode dedup = ((ObjectNode) qs.get("types_dedup")).putArray("rows");
        ArrayNode agg = ((ObjectNode) qs.get("types_aggregate")).putArray("rows");
        for (var e : last.entrySet()) {
            ObjectNode d = dedup.addObject();
            d.putObject("key").put("word", e.getKey());
            d.set("value", typedRow(e.getValue()));
            // every value grows with n: the maxima are the last row's
            ObjectNode max = typedRow(e.getValue());
            ObjectNode a = agg.addObject();
            a.putObject("key").put("word", e.getKey());
            ObjectNode val = a.putObject("value");
            for (String c : new String[] {"ch", "ts9", "ltz6", "ltz9", "wide", "compact"}) val.set("max_" + c, max.get(c));
            ObjectNode vbins = val.putObject("vbins");
            long cents = 0;
            for (long v : e.getValue() == null ? java.util.List.<Long>of() : all.get(e.getKey())) {
                vbins.put(b64(Long.toString(v * 11).getBytes(StandardCharsets.UTF_8)), 1);
                cents += v;
            }
            val.set("cents", raw(new Money("EUR", cents)));
        }
        return out;
    }
}
