package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vidar.data.TfProtos.bytesFeature;
import static org.vidar.data.TfProtos.floatFeature;
import static org.vidar.data.TfProtos.int64Feature;
import static org.vidar.data.TfProtos.ordered;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequenceExampleCodecTest {
  private static final FeatureSpec YT8M = FeatureSpec.youtube8mFrame(FeatureSpec.YT8M_2018_CLASSES);

  /** The starter code's dequantization, in float32 as TensorFlow evaluates it. */
  static float dequantized(byte q) {
    return (q & 0xff) * (float) (4.0 / 255.0) + (float) (4.0 / 512.0 - 2.0);
  }

  /** {@code frames} rows of {@code size} random bytes. */
  static byte[][] frames(int frames, int size, long seed) {
    byte[][] out = new byte[frames][];
    for (int t = 0; t < frames; t++) {
      out[t] = Fixtures.bytes(size, seed * 1000 + t);
    }
    return out;
  }

  static List<DynamicMessage> frameFeatures(byte[][] frames) {
    List<DynamicMessage> out = new ArrayList<>();
    for (byte[] f : frames) {
      out.add(bytesFeature(f));
    }
    return out;
  }

  static DynamicMessage yt8mSequence(String idKey, String id, long[] labels, byte[][] rgb, byte[][] audio) {
    return TfProtos.sequenceExample(
        ordered(idKey, bytesFeature(id), "labels", int64Feature(labels)),
        ordered("rgb", frameFeatures(rgb), "audio", frameFeatures(audio)));
  }

  static VideoRecord decode(SequenceExampleCodec codec, byte[] payload) throws InvalidRecordException {
    byte[] buffer = Arrays.copyOf(payload, payload.length + 19);
    Arrays.fill(buffer, payload.length, buffer.length, (byte) 0x33);
    return codec.decode(buffer, payload.length);
  }

  /** Checks every value of a decoded frame-level record against the quantized rows it came from. */
  static void assertFrames(VideoRecord r, byte[][]... parts) {
    int dim = Arrays.stream(parts).mapToInt(p -> p[0].length).sum();
    assertEquals(dim, r.dimension());
    assertEquals(parts[0].length, r.numFrames());
    for (int t = 0; t < r.numFrames(); t++) {
      int column = 0;
      for (byte[][] part : parts) {
        for (int j = 0; j < part[t].length; j++) {
          float expected = dequantized(part[t][j]);
          float got = r.features()[t * dim + column + j];
          if (expected != got) {
            throw new AssertionError("frame " + t + " value " + (column + j) + ": expected " + expected
                + " got " + got);
          }
        }
        column += part[t].length;
      }
    }
  }

  @Test
  void decodesAHandBuiltSequenceExampleFieldByField() throws Exception {
    byte[][] rgb = frames(5, 1024, 1);
    byte[][] audio = frames(5, 128, 2);
    byte[] payload = yt8mSequence("id", "seq1", new long[] {100, 4, 3861}, rgb, audio).toByteArray();
    VideoRecord r = decode(new SequenceExampleCodec(YT8M), payload);
    assertEquals("seq1", r.id());
    assertArrayEquals(new int[] {4, 100, 3861}, r.labels());
    assertEquals(5, r.numFrames());
    assertEquals(1152, r.dimension());
    assertFrames(r, rgb, audio);
  }

  @Test
  void readsVideoIdListOrderAndIgnoresExtraListsAndContextKeys() throws Exception {
    byte[][] rgb = frames(3, 1024, 3);
    byte[][] audio = frames(3, 128, 4);
    byte[] payload = TfProtos.sequenceExample(
        ordered("labels", int64Feature(), "extra", floatFeature(1f, 2f), "video_id", bytesFeature("v2017")),
        ordered("audio", frameFeatures(audio), "motion", frameFeatures(frames(7, 3, 5)),
            "rgb", frameFeatures(rgb))).toByteArray();
    VideoRecord r = decode(new SequenceExampleCodec(YT8M), payload);
    assertEquals("v2017", r.id());
    assertArrayEquals(new int[0], r.labels(), "a video with zero labels");
    assertFrames(r, rgb, audio);
  }

  @Test
  void aSingleFrameVideo() throws Exception {
    byte[][] rgb = frames(1, 1024, 6);
    byte[][] audio = frames(1, 128, 7);
    VideoRecord r = decode(new SequenceExampleCodec(YT8M),
        yt8mSequence("id", "one", new long[] {1}, rgb, audio).toByteArray());
    assertFrames(r, rgb, audio);
  }

  @Test
  void encoderOutputIsAValidSequenceExampleWithEveryField() throws Exception {
    int frames = 4;
    byte[][] rgb = frames(frames, 1024, 8);
    byte[][] audio = frames(frames, 128, 9);
    byte[] quantized = new byte[frames * 1152];
    for (int t = 0; t < frames; t++) {
      System.arraycopy(rgb[t], 0, quantized, t * 1152, 1024);
      System.arraycopy(audio[t], 0, quantized, t * 1152 + 1024, 128);
    }
    SequenceExampleCodec codec = new SequenceExampleCodec(YT8M);
    byte[] bytes = codec.encodeQuantized("fr-1", new int[] {2, 9}, frames, quantized);

    DynamicMessage parsed = DynamicMessage.parseFrom(TfProtos.SEQUENCE_EXAMPLE, bytes);
    assertTrue(TfProtos.noUnknownFields(parsed));
    Map<String, DynamicMessage> context = TfProtos.featureMap(TfProtos.subMessage(parsed, "context"));
    assertEquals(List.of("id", "labels"), List.copyOf(context.keySet()));
    assertEquals(List.of(ByteString.copyFromUtf8("fr-1")), TfProtos.bytesValues(context.get("id")));
    assertArrayEquals(new long[] {2, 9}, TfProtos.int64Values(context.get("labels")));
    Map<String, List<DynamicMessage>> lists =
        TfProtos.featureListMap(TfProtos.subMessage(parsed, "feature_lists"));
    assertEquals(List.of("rgb", "audio"), List.copyOf(lists.keySet()));
    for (int t = 0; t < frames; t++) {
      assertEquals("bytes_list", TfProtos.kind(lists.get("rgb").get(t)));
      assertEquals(List.of(ByteString.copyFrom(rgb[t])), TfProtos.bytesValues(lists.get("rgb").get(t)));
      assertEquals(List.of(ByteString.copyFrom(audio[t])), TfProtos.bytesValues(lists.get("audio").get(t)));
    }
    assertEquals(frames, lists.get("rgb").size());
    assertEquals(frames, lists.get("audio").size());

    assertArrayEquals(yt8mSequence("id", "fr-1", new long[] {2, 9}, rgb, audio).toByteArray(), bytes);
    assertFrames(decode(codec, bytes), rgb, audio);
  }

  @Test
  void encodeQuantizesFloatsAndDecodeDequantizesThem() throws Exception {
    FeatureSpec small = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("id"), "labels",
        List.of(new FeatureField("rgb", 3), new FeatureField("audio", 2)), 10, 300);
    float[] x = {-2f, 0f, 2f, /* audio */ -5f, 1f, /* frame 2 */ 0.5f, -0.5f, 1.9f, 3f, -1.99f};
    SequenceExampleCodec codec = new SequenceExampleCodec(small);
    byte[] bytes = codec.encode(new VideoRecord("q", new int[] {9}, 2, x));
    Map<String, List<DynamicMessage>> lists = TfProtos.featureListMap(
        TfProtos.subMessage(DynamicMessage.parseFrom(TfProtos.SEQUENCE_EXAMPLE, bytes), "feature_lists"));
    // q = round((clip(x) + 2) * 255 / 4)
    assertEquals(ByteString.copyFrom(new byte[] {0, (byte) 128, (byte) 255}),
        TfProtos.bytesValues(lists.get("rgb").get(0)).get(0));
    assertEquals(ByteString.copyFrom(new byte[] {0, (byte) 191}),
        TfProtos.bytesValues(lists.get("audio").get(0)).get(0));
    assertEquals(ByteString.copyFrom(new byte[] {(byte) 159, (byte) 96, (byte) 249}),
        TfProtos.bytesValues(lists.get("rgb").get(1)).get(0));
    assertEquals(ByteString.copyFrom(new byte[] {(byte) 255, 1}),
        TfProtos.bytesValues(lists.get("audio").get(1)).get(0));

    VideoRecord r = decode(codec, bytes);
    assertEquals(2, r.numFrames());
    int[] q = {0, 128, 255, 0, 191, 159, 96, 249, 255, 1};
    for (int i = 0; i < q.length; i++) {
      assertEquals(dequantized((byte) q[i]), r.features()[i], "value " + i);
    }
  }

  @Test
  void customFrameSpecWithOtherKeyNamesAndSizes() throws Exception {
    FeatureSpec sports = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("vid"), "lbl",
        List.of(new FeatureField("feat", 512)), 487, 300);
    byte[][] feat = frames(6, 512, 10);
    byte[] payload = TfProtos.sequenceExample(
        ordered("vid", bytesFeature("s1m"), "lbl", int64Feature(486, 12, 0)),
        ordered("feat", frameFeatures(feat))).toByteArray();
    SequenceExampleCodec codec = new SequenceExampleCodec(sports);
    VideoRecord r = decode(codec, payload);
    assertEquals("s1m", r.id());
    assertArrayEquals(new int[] {0, 12, 486}, r.labels());
    assertFrames(r, feat);

    Map<String, List<DynamicMessage>> lists = TfProtos.featureListMap(TfProtos.subMessage(
        DynamicMessage.parseFrom(TfProtos.SEQUENCE_EXAMPLE, codec.encode(r)), "feature_lists"));
    assertEquals(List.of("feat"), List.copyOf(lists.keySet()));
    for (int t = 0; t < 6; t++) {
      assertEquals(ByteString.copyFrom(feat[t]), TfProtos.bytesValues(lists.get("feat").get(t)).get(0),
          "dequantize then quantize gives back the stored bytes, frame " + t);
    }
  }

  @Test
  void framesPastMaxFramesAreDroppedAndCounted() throws Exception {
    SequenceExampleCodec codec = new SequenceExampleCodec(YT8M.withMaxFrames(4));
    byte[][] rgb = frames(7, 1024, 11);
    byte[][] audio = frames(7, 128, 12);
    VideoRecord r = decode(codec, yt8mSequence("id", "long", new long[] {1}, rgb, audio).toByteArray());
    assertEquals(4, r.numFrames());
    assertFrames(r, Arrays.copyOf(rgb, 4), Arrays.copyOf(audio, 4));
    assertEquals(1, codec.truncatedVideos());

    byte[][] rgb4 = frames(4, 1024, 13);
    byte[][] audio4 = frames(4, 128, 14);
    VideoRecord exact = decode(codec, yt8mSequence("id", "exact", new long[] {1}, rgb4, audio4).toByteArray());
    assertEquals(4, exact.numFrames());
    assertEquals(1, codec.truncatedVideos(), "a video of exactly maxFrames is not truncated");
    decode(codec, yt8mSequence("id", "long2", new long[] {1}, rgb, audio).toByteArray());
    assertEquals(2, codec.truncatedVideos());
  }

  @Test
  void encoderRejectsWrongShapes() {
    SequenceExampleCodec codec = new SequenceExampleCodec(YT8M);
    assertThrows(IllegalArgumentException.class,
        () -> codec.encodeQuantized("a", new int[0], 2, new byte[1152 * 2 + 1]));
    assertThrows(IllegalArgumentException.class,
        () -> codec.encodeQuantized("a", new int[0], 0, new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> codec.encode(new VideoRecord("a", new int[0], 1, new float[1151])));
    assertThrows(IllegalArgumentException.class,
        () -> new SequenceExampleCodec(FeatureSpec.youtube8mVideo(10)));
  }

  /** A frame-level video without the labels key reads as one with no labels only where they are optional. */
  @Test
  void labelsMayBeAbsentOnlyWhereTheyAreOptional() throws Exception {
    byte[][] rgb = frames(4, 1024, 8);
    byte[][] audio = frames(4, 128, 9);
    byte[] payload = TfProtos.sequenceExample(ordered("id", bytesFeature("t100")),
        ordered("rgb", frameFeatures(rgb), "audio", frameFeatures(audio))).toByteArray();
    InvalidRecordException e = assertThrows(InvalidRecordException.class,
        () -> decode(new SequenceExampleCodec(YT8M), payload));
    assertEquals(RecordProblem.MISSING_KEY, e.problem());
    VideoRecord r = decode(new SequenceExampleCodec(YT8M, LabelPolicy.OPTIONAL), payload);
    assertEquals("t100", r.id());
    assertArrayEquals(new int[0], r.labels());
    assertEquals(4, r.numFrames());
    assertFrames(r, rgb, audio);
  }
}
