package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL job behind the sql-* fixtures: two deterministic inputs (events, rates) read from the
 * unbounded rate-limited sources of {@link Jobs#numbers} (only the first rows pass, so the job keeps
 * running) and eight queries, each to its own discarding sink, so one snapshot holds the state of a
 * group aggregate, a distinct aggregate, a deduplication, a regular join, an interval join, a top-N,
 * a window aggregate and an event-time temporal join. The expected contents the queries' state holds
 * once every row was processed and the watermark settled go to the manifest ("expected.sql").
 */
final class SqlJobs {
    private SqlJobs() {}

    static final int EVENTS = 40;
    static final int RATES = 9;
    static final long BASE = 1_700_000_000_000L; // a multiple of the 10 s windows
    static final String[] CURS = {"EUR", "GBP", "USD"};

    static String word(long v) { return "w" + (v % 4); }
    static String cur(long v) { return CURS[(int) (v % 3)]; }
    static BigDecimal amount(long v) { return BigDecimal.valueOf(v * 125, 2); }
    static BigDecimal rate(long u) { return BigDecimal.valueOf(100 + u, 2); }

    static final class ToEvent implements MapFunction<Long, Row> {
        @Override
        public Row map(Long v) {
            Jobs.TICKS.incrementAndGet();
            return Row.of(word(v), cur(v), v, amount(v), BASE + v * 1000);
        }
    }

    static final class ToRate implements MapFunction<Long, Row> {
        @Override
        public Row map(Long u) {
            Jobs.TICKS.incrementAndGet();
            return Row.of(cur(u), rate(u), BASE + u * 4000);
        }
    }

    static final Map<String, String> QUERIES = new LinkedHashMap<>();
    static {
        QUERIES.put("group_aggregate",
                "SELECT word, COUNT(*) AS cnt, SUM(n) AS total, MAX(CAST(amount AS DECIMAL(10, 2))) AS max_amount, "
                        + "SUM(amount) AS sum_amount FROM events GROUP BY word");
        QUERIES.put("distinct_aggregate",
                "SELECT cur, COUNT(DISTINCT word) AS words, COUNT(*) AS cnt FROM events GROUP BY cur");
        QUERIES.put("deduplicate",
                "SELECT word, n, amount FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY word ORDER BY ts DESC) AS rn "
                        + "FROM events) WHERE rn = 1");
        QUERIES.put("regular_join",
                "SELECT e.word, e.n, r.rate FROM (SELECT word, cur, n FROM events) e "
                        + "JOIN (SELECT cur, rate FROM rates) r ON e.cur = r.cur");
        QUERIES.put("interval_join",
                "SELECT e.n, r.rate FROM events e, rates r WHERE e.cur = r.cur "
                        + "AND e.ts BETWEEN r.ts - INTERVAL '2' SECOND AND r.ts + INTERVAL '2' SECOND");
        QUERIES.put("top_n",
                "SELECT cur, n, word FROM (SELECT cur, n, word, ROW_NUMBER() OVER (PARTITION BY cur ORDER BY n DESC) AS rk "
                        + "FROM events) WHERE rk <= 2");
        QUERIES.put("window_aggregate",
                "SELECT word, window_start, window_end, COUNT(*) AS cnt, SUM(n) AS total "
                        + "FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                        + "GROUP BY word, window_start, window_end");
        QUERIES.put("temporal_join",
                "SELECT e.n, e.cur, r.rate FROM events e JOIN rates_v FOR SYSTEM_TIME AS OF e.ts AS r ON e.cur = r.cur");
        QUERIES.put("over_aggregate",
                "SELECT word, n, SUM(n) OVER (PARTITION BY word ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3 "
                        + "FROM events");
        // top-N over an input without a unique key that retracts (a join of an aggregate): the retracting rank
        QUERIES.put("retract_top_n",
                "SELECT cur, word, cnt FROM (SELECT cur, word, cnt, ROW_NUMBER() OVER (PARTITION BY cur ORDER BY cnt DESC) AS rk "
                        + "FROM (SELECT e.cur, e.word, c.cnt FROM (SELECT cur, word FROM events) e "
                        + "JOIN (SELECT word AS w, COUNT(*) AS cnt FROM events GROUP BY word) c ON e.word = c.w)) WHERE rk <= 2");
        // the last row per word, of many SQL types: the deduplication stores it as Flink's binary row
        QUERIES.put("typed_rows",
                "SELECT * FROM (SELECT word, ARRAY[n, n + 1] AS arr, MAP[word, n] AS m, ROW(word, n) AS r, "
                        + "CAST(n AS TINYINT) AS ti, CAST(n AS SMALLINT) AS si, CAST(n AS INT) AS i, CAST(n AS FLOAT) AS fl, "
                        + "CAST(n AS DOUBLE) AS db, n > 20 AS bo, CAST(CAST(n AS STRING) AS BYTES) AS b, "
                        + "CAST(TIMESTAMPADD(DAY, CAST(n AS INT), TIMESTAMP '2024-01-01 00:00:00') AS DATE) AS d, "
                        + "CAST(TIMESTAMPADD(SECOND, CAST(n AS INT), TIMESTAMP '2024-01-01 12:00:00') AS TIME) AS tm, "
                        + "TIMESTAMPADD(SECOND, CAST(n AS INT), TIMESTAMP '2024-01-01 00:00:00.123456') AS ts6, "
                        + "INTERVAL '1' DAY * CAST(n AS INT) AS iv, INTERVAL '1' MONTH * CAST(n AS INT) AS ym, "
                        + "CAST(amount AS DECIMAL(30, 4)) AS dec30, CAST(NULL AS STRING) AS nothing, "
                        + "ROW_NUMBER() OVER (PARTITION BY word ORDER BY ts DESC) AS rn FROM events) WHERE rn = 1");
        // LISTAGG over an updating input (the last currency of each word): a retracting aggregate whose
        // accumulator holds ListViews, kept in state of their own
        QUERIES.put("listagg_retract",
                "SELECT cur, LISTAGG(word) AS words FROM (SELECT cur, word FROM (SELECT cur, word, "
                        + "ROW_NUMBER() OVER (PARTITION BY word ORDER BY ts DESC) AS rn FROM events) WHERE rn = 1) GROUP BY cur");
    }

    static Jobs.Built sqlJob(StreamExecutionEnvironment env) {
        env.setParallelism(2);
        env.setMaxParallelism(128);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        DataStream<Row> events = Jobs.numbers(env, "events", EVENTS, 2000)
                .map(new ToEvent()).uid("events-rows").name("events-rows").setParallelism(1)
                .returns(Types.ROW_NAMED(new String[] {"word", "cur", "n", "amount", "t"},
                        Types.STRING, Types.STRING, Types.LONG, Types.BIG_DEC, Types.LONG));
        DataStream<Row> rates = Jobs.numbers(env, "rates", RATES, 100)
                .map(new ToRate()).uid("rates-rows").name("rates-rows").setParallelism(1)
                .returns(Types.ROW_NAMED(new String[] {"cur", "rate", "t"}, Types.STRING, Types.BIG_DEC, Types.LONG));
        t.createTemporaryView("events", t.fromDataStream(events, withRowtime()));
        t.createTemporaryView("rates", t.fromDataStream(rates, withRowtime()));
        t.createTemporaryView("rates_v", t.sqlQuery(
                "SELECT cur, rate, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cur ORDER BY ts DESC) AS rn "
                        + "FROM rates) WHERE rn = 1"));
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            Table result = t.sqlQuery(q.getValue());
            t.toChangelogStream(result).sinkTo(new DiscardingSink<>()).name("sink-" + q.getKey());
        }
        Jobs.Built b = new Jobs.Built();
        b.expectedTicks = EVENTS + RATES;
        b.settleMillis = 2500;
        b.expected.set("sql", expected());
        return b;
    }

    private static Schema withRowtime() {
        return Schema.newBuilder()
                .columnByExpression("ts", "TO_TIMESTAMP_LTZ(t, 3)")
                .watermark("ts", "ts - INTERVAL '1' SECOND")
                .build();
    }

    private static String dec(BigDecimal d, int scale) {
        return d.setScale(scale).toPlainString();
    }

    /** What each query's state holds, computed from the inputs (keys in order). */
    static ObjectNode expected() {
        ObjectNode sql = Jobs.F.objectNode();
        sql.put("events", "word = w(v%4), cur = [EUR,GBP,USD][v%3], n = v, amount = v*1.25, ts = "
                + BASE + " + v s, v = 0.." + (EVENTS - 1));
        sql.put("rates", "cur = [EUR,GBP,USD][u%3], rate = 1.00 + u/100, ts = " + BASE + " + 4u s, u = 0.." + (RATES - 1));
        ObjectNode qs = sql.putObject("queries");
        // the query's stateful operator: the n-th operator (0-based) whose name starts with `operator`
        String[][] ops = {{"GroupAggregate", "0"}, {"GroupAggregate", "1"}, {"Deduplicate", "0"}, {"Join", "0"},
                {"IntervalJoin", "0"}, {"Rank", "0"}, {"GlobalWindowAggregate", "0"}, {"TemporalJoin", "0"},
                {"OverAggregate", "0"}, {"Rank", "1"}, {"Deduplicate", "2"},
                {"GroupAggregate", "3"}};
        int i = 0;
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            qs.putObject(q.getKey()).put("sql", q.getValue()).put("operator", ops[i][0])
                    .put("occurrence", Integer.parseInt(ops[i][1]));
            i++;
        }

        TreeMap<String, long[]> byWord = new TreeMap<>(); // cnt, total, maxV, lastV
        TreeMap<String, BigDecimal> sumByWord = new TreeMap<>();
        TreeMap<String, long[]> byCur = new TreeMap<>(); // cnt, top1, top2
        for (long v = 0; v < EVENTS; v++) {
            long[] w = byWord.computeIfAbsent(word(v), k -> new long[] {0, 0, -1, -1});
            w[0]++; w[1] += v; w[2] = Math.max(w[2], v); w[3] = v;
            sumByWord.merge(word(v), amount(v), BigDecimal::add);
            long[] c = byCur.computeIfAbsent(cur(v), k -> new long[] {0, -1, -1});
            c[0]++;
            if (v > c[1]) { c[2] = c[1]; c[1] = v; } else if (v > c[2]) c[2] = v;
        }
        ArrayNode group = ((ObjectNode) qs.get("group_aggregate")).putArray("rows");
        ArrayNode dedup = ((ObjectNode) qs.get("deduplicate")).putArray("rows");
        for (var e : byWord.entrySet()) {
            ObjectNode r = group.addObject();
            r.putObject("key").put("word", e.getKey());
            r.putObject("value").put("cnt", e.getValue()[0]).put("total", e.getValue()[1])
                    .put("max_amount", dec(amount(e.getValue()[2]), 2))
                    .put("sum_amount", dec(sumByWord.get(e.getKey()), 18));
            long last = e.getValue()[3];
            ObjectNode d = dedup.addObject();
            d.putObject("key").put("word", e.getKey());
            d.putObject("value").put("word", e.getKey()).put("cur", cur(last)).put("n", last)
                    .put("amount", dec(amount(last), 18)).put("ts", BASE + last * 1000);
        }
        ArrayNode distinct = ((ObjectNode) qs.get("distinct_aggregate")).putArray("rows");
        ArrayNode topn = ((ObjectNode) qs.get("top_n")).putArray("rows");
        ArrayNode join = ((ObjectNode) qs.get("regular_join")).putArray("rows");
        for (var e : byCur.entrySet()) {
            ObjectNode r = distinct.addObject();
            r.putObject("key").put("cur", e.getKey());
            r.putObject("value").put("words", 4).put("cnt", e.getValue()[0]);
            ObjectNode tn = topn.addObject();
            tn.putObject("key").put("cur", e.getKey());
            tn.putArray("n").add(e.getValue()[1]).add(e.getValue()[2]);
            ObjectNode j = join.addObject();
            j.putObject("key").put("cur", e.getKey());
            j.put("leftRecords", e.getValue()[0]);
            ArrayNode rs = j.putArray("rightRates");
            for (long u = 0; u < RATES; u++) if (cur(u).equals(e.getKey())) rs.add(dec(rate(u), 18));
        }
        ArrayNode typed = ((ObjectNode) qs.get("typed_rows")).putArray("rows");
        for (var e : byWord.entrySet()) {
            long v = e.getValue()[3];
            ObjectNode t = typed.addObject();
            t.putObject("key").put("word", e.getKey());
            ObjectNode val = t.putObject("value");
            val.put("word", e.getKey());
            val.putArray("arr").add(v).add(v + 1);
            val.putObject("m").put(e.getKey(), v);
            val.putArray("r").add(e.getKey()).add(v);
            val.put("ti", v).put("si", v).put("i", v).put("fl", (double) v).put("db", (double) v).put("bo", v > 20);
            val.put("b", java.util.Base64.getEncoder().encodeToString(Long.toString(v).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            val.put("d", java.time.LocalDate.of(2024, 1, 1).plusDays(v).toString());
            val.put("tm", java.time.LocalTime.of(12, 0).plusSeconds(v).toString());
            val.put("ts6", java.time.LocalDateTime.of(2024, 1, 1, 0, 0, 0, 123_456_000).plusSeconds(v).toString());
            val.put("ivMillis", v * 86_400_000L).put("ymMonths", v);
            val.put("dec30", amount(v).setScale(4).toPlainString());
            val.putNull("nothing");
        }
        ArrayNode listagg = ((ObjectNode) qs.get("listagg_retract")).putArray("rows");
        TreeMap<String, java.util.TreeSet<String>> wordsByCur = new TreeMap<>();
        for (var e : byWord.entrySet()) wordsByCur.computeIfAbsent(cur(e.getValue()[3]), k -> new java.util.TreeSet<>()).add(e.getKey());
        for (var e : wordsByCur.entrySet()) {
            ObjectNode r = listagg.addObject();
            r.putObject("key").put("cur", e.getKey());
            ArrayNode ws = r.putArray("words");
            for (String w : e.getValue()) ws.add(w);
        }
        // tumbling 10 s windows; the watermark (max ts - 1 s) closed all but the last one
        ArrayNode window = ((ObjectNode) qs.get("window_aggregate")).putArray("rows");
        long lastStart = (EVENTS - 1) / 10 * 10;
        TreeMap<String, long[]> open = new TreeMap<>();
        for (long v = lastStart; v < EVENTS; v++) {
            long[] w = open.computeIfAbsent(word(v), k -> new long[2]);
            w[0]++; w[1] += v;
        }
        for (var e : open.entrySet()) {
            ObjectNode r = window.addObject();
            r.putObject("key").put("word", e.getKey());
            r.put("windowEnd", BASE + (lastStart + 10) * 1000);
            r.putObject("value").put("cnt", e.getValue()[0]).put("total", e.getValue()[1]);
        }
        ((ObjectNode) qs.get("interval_join")).put("note", "rows buffered per side until the watermark passes their bound");
        ((ObjectNode) qs.get("temporal_join")).put("note", "event-time temporal join over the deduplicated (versioned) rates");
        ((ObjectNode) qs.get("over_aggregate")).put("note", "rows-bounded event-time OVER window: rows buffered per word");
        ((ObjectNode) qs.get("retract_top_n")).put("note", "top-2 per currency of an updating input (counts per word, joined)");
        return sql;
    }
}
