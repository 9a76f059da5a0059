package dev.ckpt.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.runtime.util.EnvironmentInformation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Avro oracle (Flink 2.3 build only; needs flink-avro): serializes deterministic GenericRecords of a
 * schema that uses every Avro type with Flink's own {@code AvroSerializer} and prints, as JSON, the
 * serializer snapshot ({@code writeVersionedSnapshot} bytes) and per record the serialized bytes and
 * the record in a plain JSON form (longs as decimal strings, bytes/fixed as base64).
 *
 * <pre>  avro-values   prints {"flinkVersion", "schema", "snapshot", "values": [{"bytes", "value"}]}</pre>
 */
public final class AvroValues {
    private AvroValues() {}

    static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"dev.ckpt.avro\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"long\"},"
            + "{\"name\":\"qty\",\"type\":\"int\"},"
            + "{\"name\":\"price\",\"type\":\"double\"},"
            + "{\"name\":\"ratio\",\"type\":\"float\"},"
            + "{\"name\":\"ok\",\"type\":\"boolean\"},"
            + "{\"name\":\"name\",\"type\":\"string\"},"
            + "{\"name\":\"raw\",\"type\":\"bytes\"},"
            + "{\"name\":\"tag\",\"type\":{\"type\":\"fixed\",\"name\":\"Tag\",\"size\":4}},"
            + "{\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"]}},"
            + "{\"name\":\"items\",\"type\":{\"type\":\"array\",\"items\":\"long\"}},"
            + "{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"int\"}},"
            + "{\"name\":\"note\",\"type\":[\"null\",\"string\"]},"
            + "{\"name\":\"choice\",\"type\":[\"null\",\"long\",\"string\",\"Color\"]},"
            + "{\"name\":\"dims\",\"type\":{\"type\":\"record\",\"name\":\"Dim\",\"fields\":[{\"name\":\"w\",\"type\":\"int\"},{\"name\":\"h\",\"type\":\"int\"}]}},"
            + "{\"name\":\"when\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
            + "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"dev.ckpt.avro.Tag\"}},"
            + "{\"name\":\"child\",\"type\":[\"null\",\"Order\"]}]}";

    static final String[] NAMES = {"", "a", "héllo wörld", "✓ 😀 𝄞", "x".repeat(300)};

    static GenericRecord record(Schema s, int i, int depth) {
        GenericRecord r = new GenericData.Record(s);
        r.put("id", i % 2 == 0 ? Long.MIN_VALUE + i : Long.MAX_VALUE / (i + 1));
        r.put("qty", i % 3 == 0 ? Integer.MIN_VALUE : -i * 7919);
        r.put("price", i == 1 ? Double.NaN : i * 1.1 - 3);
        r.put("ratio", (float) (i / 3.0));
        r.put("ok", i % 2 == 1);
        r.put("name", NAMES[i % NAMES.length]);
        byte[] raw = new byte[i * 3 % 70];
        for (int j = 0; j < raw.length; j++) raw[j] = (byte) (j * 37 + i);
        r.put("raw", ByteBuffer.wrap(raw));
        Schema tag = s.getField("tag").schema();
        r.put("tag", new GenericData.Fixed(tag, new byte[] {(byte) i, (byte) -i, 0, (byte) 0x80}));
        Schema color = s.getField("color").schema();
        r.put("color", new GenericData.EnumSymbol(color, color.getEnumSymbols().get(i % 3)));
        List<Long> items = new ArrayList<>();
        for (int j = 0; j < i * 13 % 200; j++) items.add((long) j * j - i);
        r.put("items", items);
        Map<String, Integer> attrs = new LinkedHashMap<>();
        for (int j = 0; j < i % 4; j++) attrs.put("k" + j, j - i);
        r.put("attrs", attrs);
        r.put("note", i % 2 == 0 ? null : "note " + i);
        Object[] choices = {null, (long) i * 1000, "c" + i, new GenericData.EnumSymbol(color, "BLUE")};
        r.put("choice", choices[i % 4]);
        GenericRecord dim = new GenericData.Record(s.getField("dims").schema());
        dim.put("w", i);
        dim.put("h", -i);
        r.put("dims", dim);
        r.put("when", 1700000000000L + i);
        List<GenericData.Fixed> tags = new ArrayList<>();
        for (int j = 0; j < i % 3; j++) tags.add(new GenericData.Fixed(tag, new byte[] {1, 2, 3, (byte) j}));
        r.put("tags", tags);
        r.put("child", depth < 2 && i % 2 == 1 ? record(s, i + 1, depth + 1) : null);
        return r;
    }

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    static JsonNode json(Object v) {
        if (v == null) return F.nullNode();
        if (v instanceof GenericRecord) {
            GenericRecord r = (GenericRecord) v;
            ObjectNode o = F.objectNode();
            for (Schema.Field f : r.getSchema().getFields()) o.set(f.name(), json(r.get(f.name())));
            return o;
        }
        if (v instanceof Long) return F.textNode(v.toString());
        if (v instanceof Integer) return F.numberNode((Integer) v);
        if (v instanceof Float) return Float.isNaN((Float) v) ? F.textNode("NaN") : F.numberNode((double) (Float) v);
        if (v instanceof Double) return Double.isNaN((Double) v) ? F.textNode("NaN") : F.numberNode((Double) v);
        if (v instanceof Boolean) return F.booleanNode((Boolean) v);
        if (v instanceof CharSequence) return F.textNode(v.toString());
        if (v instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) v).duplicate();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            return F.textNode(Base64.getEncoder().encodeToString(a));
        }
        if (v instanceof GenericData.Fixed) return F.textNode(Base64.getEncoder().encodeToString(((GenericData.Fixed) v).bytes()));
        if (v instanceof GenericData.EnumSymbol) return F.textNode(v.toString());
        if (v instanceof List) {
            ArrayNode a = F.arrayNode();
            for (Object x : (List<?>) v) a.add(json(x));
            return a;
        }
        if (v instanceof Map) {
            ObjectNode o = F.objectNode();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) o.set(e.getKey().toString(), json(e.getValue()));
            return o;
        }
        throw new IllegalArgumentException("no JSON form for " + v.getClass());
    }

    public static void main(String[] args) throws Exception {
        Schema schema = new Schema.Parser().parse(SCHEMA);
        AvroSerializer<GenericRecord> ser = new AvroSerializer<>(GenericRecord.class, schema);
        DataOutputSerializer snap = new DataOutputSerializer(1024);
        TypeSerializerSnapshot.writeVersionedSnapshot(snap, ser.snapshotConfiguration());
        ObjectNode out = F.objectNode();
        out.put("flinkVersion", EnvironmentInformation.getVersion());
        out.put("schema", SCHEMA);
        out.put("snapshot", Base64.getEncoder().encodeToString(snap.getCopyOfBuffer()));
        ArrayNode values = out.putArray("values");
        for (int i = 0; i < 24; i++) {
            GenericRecord r = record(schema, i, 0);
            DataOutputSerializer o = new DataOutputSerializer(256);
            ser.serialize(r, o);
            ObjectNode v = values.addObject();
            v.put("bytes", Base64.getEncoder().encodeToString(o.getCopyOfBuffer()));
            v.set("value", json(r));
        }
        System.out.write(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out).getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.flush();
    }
}
