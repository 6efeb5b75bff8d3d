package org.vidar.data;

import com.google.protobuf.DynamicMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test data: deterministic feature values, YouTube-8M-shaped records and TFRecord files. */
final class Fixtures {
  private Fixtures() {}

  static float[] values(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 6 - 3);
    }
    return v;
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A video-level YouTube-8M Example, built with protobuf-java's DynamicMessage. */
  static DynamicMessage yt8mExample(String id, long[] labels, float[] rgb, float[] audio) {
    return TfProtos.example(TfProtos.ordered(
        "id", TfProtos.bytesFeature(id),
        "labels", TfProtos.int64Feature(labels),
        "mean_rgb", TfProtos.floatFeature(rgb),
        "mean_audio", TfProtos.floatFeature(audio)));
  }

  /** A good video-level record with values derived from {@code seed}. */
  static byte[] goodVideo(String id, long seed) {
    return yt8mExample(id, new long[] {seed % 3862, (seed + 17) % 3862},
        values(1024, seed), values(128, seed + 1000)).toByteArray();
  }

  static VideoRecord decodeVideo(byte[] payload) throws InvalidRecordException {
    return new ExampleCodec(FeatureSpec.youtube8mVideo(FeatureSpec.YT8M_2018_CLASSES))
        .decode(payload, payload.length);
  }

  /** Writes the payloads as one TFRecord file and returns it. */
  static Path writeTfRecord(Path file, byte[]... payloads) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(file))) {
      for (byte[] p : payloads) {
        w.write(p);
      }
    }
    return file;
  }

  static void writeTfRecord(OutputStream out, byte[]... payloads) throws IOException {
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      for (byte[] p : payloads) {
        w.write(p);
      }
    }
  }

  /** Byte offset of record {@code index} in a file of these payloads. */
  static long offsetOf(byte[][] payloads, int index) {
    long off = 0;
    for (int i = 0; i < index; i++) {
      off += 16 + payloads[i].length;
    }
    return off;
  }

  static List<VideoRecord> readAll(VideoReader reader) throws IOException {
    List<VideoRecord> out = new ArrayList<>();
    VideoRecord r;
    while ((r = reader.next()) != null) {
      out.add(r);
    }
    return out;
  }

  static List<String> ids(List<VideoRecord> records) {
    return records.stream().map(VideoRecord::id).toList();
  }
}
