package org.vidar.tfpeer;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.FeatureList;
import org.tensorflow.proto.FeatureLists;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import org.tensorflow.proto.SequenceExample;

/**
 * Writes TFRecord files by hand for the tests: framing with masked CRCs, video-level Examples and
 * frame-level SequenceExamples.
 */
final class TestRecords {
  private TestRecords() {}

  /** Frames each payload as a TFRecord into {@code file}. */
  static void write(Path file, List<byte[]> payloads) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      for (byte[] payload : payloads) {
        byte[] length = new byte[8];
        long n = payload.length;
        for (int i = 0; i < 8; i++) {
          length[i] = (byte) (n >>> (8 * i));
        }
        out.write(length);
        out.write(le(MaskedCrc32c.of(length, 0, 8)));
        out.write(payload);
        out.write(le(MaskedCrc32c.of(payload, 0, payload.length)));
      }
    }
  }

  /** A video-level Example as YouTube-8M stores it. */
  static byte[] video(String id, float[] rgb, float[] audio, long... labels) {
    FloatList.Builder rgbList = FloatList.newBuilder();
    for (float v : rgb) {
      rgbList.addValue(v);
    }
    FloatList.Builder audioList = FloatList.newBuilder();
    for (float v : audio) {
      audioList.addValue(v);
    }
    Int64List.Builder labelList = Int64List.newBuilder();
    for (long label : labels) {
      labelList.addValue(label);
    }
    Features features = Features.newBuilder()
        .putFeature("id", Feature.newBuilder().setBytesList(BytesList.newBuilder()
            .addValue(ByteString.copyFrom(id, StandardCharsets.UTF_8))).build())
        .putFeature("labels", Feature.newBuilder().setInt64List(labelList).build())
        .putFeature("mean_rgb", Feature.newBuilder().setFloatList(rgbList).build())
        .putFeature("mean_audio", Feature.newBuilder().setFloatList(audioList).build())
        .build();
    return Example.newBuilder().setFeatures(features).build().toByteArray();
  }

  /** A frame-level SequenceExample as YouTube-8M stores it: per frame one bytes value per list. */
  static byte[] frames(String id, byte[][] rgb, byte[][] audio, long... labels) {
    Int64List.Builder labelList = Int64List.newBuilder();
    for (long label : labels) {
      labelList.addValue(label);
    }
    Features context = Features.newBuilder()
        .putFeature("id", Feature.newBuilder().setBytesList(BytesList.newBuilder()
            .addValue(ByteString.copyFrom(id, StandardCharsets.UTF_8))).build())
        .putFeature("labels", Feature.newBuilder().setInt64List(labelList).build())
        .build();
    return SequenceExample.newBuilder().setContext(context).setFeatureLists(FeatureLists.newBuilder()
        .putFeatureList("rgb", bytesPerFrame(rgb))
        .putFeatureList("audio", bytesPerFrame(audio))).build().toByteArray();
  }

  private static FeatureList bytesPerFrame(byte[][] frames) {
    FeatureList.Builder list = FeatureList.newBuilder();
    for (byte[] frame : frames) {
      list.addFeature(Feature.newBuilder().setBytesList(BytesList.newBuilder()
          .addValue(ByteString.copyFrom(frame))));
    }
    return list.build();
  }

  private static byte[] le(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
  }
}
