package dev.ckpt.conformance;

import java.util.Arrays;

/** Entry point: {@code generate | dump | assign | restore}. */
public final class Main {
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: (generate|dump|assign|restore) [args...]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "generate": Generate.main(rest); break;
            case "dump": Dump.main(rest); break;
            case "assign": Assign.main(rest); break;
            case "restore": Restore.main(rest); break;
            case "bench": Bench.main(rest); break;
            case "avro-values": // src/main/java-avro, only in builds with flink-avro (flink-2.3)
                Class.forName("dev.ckpt.conformance.AvroValues").getMethod("main", String[].class).invoke(null, (Object) rest);
                break;
            case "ha": Ha.main(rest); break;
            case "assign-bench": AssignBench.main(rest); break;
            case "rocks-oracle": RocksOracle.main(rest); break;
            // only the 2.3 line builds it (State Processor API): looked up by name
            case "keyed-read":
                Class.forName("dev.ckpt.conformance.KeyedRead").getMethod("main", String[].class).invoke(null, (Object) rest);
                break;
            case "keyed-bench-savepoint": // src/main/java-2.3: the bench input for keyed-read
                Class.forName("dev.ckpt.conformance.KeyedBench").getMethod("main", String[].class).invoke(null, (Object) rest);
                break;
            case "keyed-convert": // src/main/java-2.3: Flink's side of bench/convert.mjs
                Class.forName("dev.ckpt.conformance.KeyedConvert").getMethod("main", String[].class).invoke(null, (Object) rest);
                break;
            case "version":
                System.out.println(org.apache.flink.runtime.util.EnvironmentInformation.getVersion() + " line=" + FlinkLine.LINE);
                break;
            default:
                System.err.println("unknown command " + args[0]);
                System.exit(2);
        }
    }
}
