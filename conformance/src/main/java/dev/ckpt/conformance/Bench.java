package dev.ckpt.conformance;

import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * Times Flink's own metadata loader and writer on files, for bench/ (same inputs, same machine,
 * same run as ckpt). Usage: {@code bench ROUNDS [--warmup N] FILE...} (default warm-up: max(3,
 * ROUNDS) rounds); prints one JSON line per file with the
 * min and median milliseconds of decode (Checkpoints.loadCheckpointMetadata from bytes in memory)
 * and encode (Checkpoints.storeCheckpointMetadata into memory), after warm-up rounds.
 */
final class Bench {
    private Bench() {}

    static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int warmup = Math.max(3, rounds);
        int first = 1;
        if (args.length > 2 && args[1].equals("--warmup")) {
            warmup = Integer.parseInt(args[2]);
            first = 3;
        }
        for (int i = first; i < args.length; i++) {
            File f = new File(args[i]);
            byte[] bytes = Files.readAllBytes(f.toPath());
            String pointer = f.getAbsoluteFile().getParentFile().toURI().toString();
            double[] decode = new double[rounds];
            double[] encode = new double[rounds];
            CheckpointMetadata md = null;
            for (int r = -warmup; r < rounds; r++) {
                long t0 = System.nanoTime();
                md = Checkpoints.loadCheckpointMetadata(
                        new DataInputStream(new ByteArrayInputStream(bytes)), Bench.class.getClassLoader(), pointer);
                long t1 = System.nanoTime();
                ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 1024);
                Checkpoints.storeCheckpointMetadata(md, out);
                long t2 = System.nanoTime();
                if (r >= 0) {
                    decode[r] = (t1 - t0) / 1e6;
                    encode[r] = (t2 - t1) / 1e6;
                }
            }
            System.out.println(String.format(
                    "{\"file\":\"%s\",\"bytes\":%d,\"decodeMinMs\":%.4f,\"decodeMedianMs\":%.4f,\"encodeMinMs\":%.4f,\"encodeMedianMs\":%.4f}",
                    f.getPath().replace("\\", "\\\\").replace("\"", "\\\""), bytes.length,
                    min(decode), median(decode), min(encode), median(encode)));
        }
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }
}
