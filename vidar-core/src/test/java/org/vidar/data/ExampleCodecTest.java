package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vidar.data.TfProtos.bytesFeature;
import static org.vidar.data.TfProtos.concat;
import static org.vidar.data.TfProtos.floatFeature;
import static org.vidar.data.TfProtos.int64Feature;
import static org.vidar.data.TfProtos.ordered;
import static org.vidar.data.TfProtos.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleCodecTest {
  private static final FeatureSpec YT8M = FeatureSpec.youtube8mVideo(FeatureSpec.YT8M_2018_CLASSES);

  private static VideoRecord decode(FeatureSpec spec, byte[] payload) throws InvalidRecordException {
    // decode from a larger buffer, as readers pass their reusable record buffer
    byte[] buffer = new byte[payload.length + 37];
    System.arraycopy(payload, 0, buffer, 0, payload.length);
    java.util.Arrays.fill(buffer, payload.length, buffer.length, (byte) 0x5a);
    return new ExampleCodec(spec).decode(buffer, payload.length);
  }

  @Test
  void decodesAHandBuiltExampleFieldByField() throws Exception {
    float[] rgb = Fixtures.values(1024, 1);
    float[] audio = Fixtures.values(128, 2);
    byte[] payload = Fixtures.yt8mExample("Xy9a", new long[] {42, 7, 3861, 0}, rgb, audio).toByteArray();
    VideoRecord r = decode(YT8M, payload);
    assertEquals("Xy9a", r.id());
    assertArrayEquals(new int[] {0, 7, 42, 3861}, r.labels(), "labels are returned sorted");
    assertEquals(1, r.numFrames());
    assertEquals(1152, r.dimension());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features(), "mean_rgb then mean_audio, bit for bit");
  }

  @Test
  void keyOrderInTheMapDoesNotMatterAndExtraKeysAreIgnored() throws Exception {
    float[] rgb = Fixtures.values(1024, 3);
    float[] audio = Fixtures.values(128, 4);
    byte[] payload = TfProtos.example(ordered(
        "segment_scores", floatFeature(0.5f, 0.25f),
        "mean_audio", floatFeature(audio),
        "segment_labels", int64Feature(99999, -5),
        "labels", int64Feature(5),
        "title", bytesFeature("a video"),
        "mean_rgb", floatFeature(rgb),
        "id", bytesFeature("abc"),
        "mean_rgb_extra", floatFeature(1f))).toByteArray();
    VideoRecord r = decode(YT8M, payload);
    assertEquals("abc", r.id());
    assertArrayEquals(new int[] {5}, r.labels());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
  }

  @Test
  void unknownTopLevelFieldsAreSkipped() throws Exception {
    byte[] example = Fixtures.goodVideo("v1", 9);
    byte[] payload = concat(wire(c -> c.writeUInt64(15, 42)), example, wire(c -> c.writeString(9, "junk")));
    assertEquals(Fixtures.decodeVideo(example), decode(YT8M, payload));
  }

  @Test
  void readsThe2017VideoIdKey() throws Exception {
    byte[] payload = TfProtos.example(ordered(
        "video_id", bytesFeature("old-2017"),
        "labels", int64Feature(1, 2),
        "mean_rgb", floatFeature(new float[1024]),
        "mean_audio", floatFeature(new float[128]))).toByteArray();
    assertEquals("old-2017", decode(YT8M, payload).id());
  }

  @Test
  void idKeyWinsOverVideoIdWhenBothArePresent() throws Exception {
    byte[] payload = TfProtos.example(ordered(
        "video_id", bytesFeature("second"),
        "labels", int64Feature(1),
        "id", bytesFeature("first"),
        "mean_rgb", floatFeature(new float[1024]),
        "mean_audio", floatFeature(new float[128]))).toByteArray();
    assertEquals("first", decode(YT8M, payload).id());
  }

  @Test
  void nonAsciiIdsAreUtf8() throws Exception {
    String id = "vidéo-ü-日本";
    byte[] payload = Fixtures.yt8mExample(id, new long[] {3}, new float[1024], new float[128]).toByteArray();
    assertEquals(id, decode(YT8M, payload).id());
  }

  @Test
  void aVideoWithNoLabels() throws Exception {
    byte[] payload = Fixtures.yt8mExample("none", new long[0], new float[1024], new float[128]).toByteArray();
    assertArrayEquals(new int[0], decode(YT8M, payload).labels());
  }

  @Test
  void labelsFeatureWithNoListAtAllMeansNoLabels() throws Exception {
    DynamicMessage emptyFeature = DynamicMessage.newBuilder(TfProtos.FEATURE).build();
    byte[] payload = TfProtos.example(ordered(
        "id", bytesFeature("e"),
        "labels", emptyFeature,
        "mean_rgb", floatFeature(new float[1024]),
        "mean_audio", floatFeature(new float[128]))).toByteArray();
    assertArrayEquals(new int[0], decode(YT8M, payload).labels());
  }

  // ---- raw wire encodings that TensorFlow's parser accepts but our writer never produces ----

  static byte[] rawEntry(String key, byte[] feature, boolean valueFirst) {
    return wire(c -> {
      if (valueFirst) {
        c.writeByteArray(2, feature);
        c.writeString(1, key);
      } else {
        c.writeString(1, key);
        c.writeByteArray(2, feature);
      }
    });
  }

  static byte[] rawExample(byte[]... entries) {
    byte[] features = wire(c -> {
      for (byte[] e : entries) {
        c.writeByteArray(1, e);
      }
    });
    return wire(c -> c.writeByteArray(1, features));
  }

  static byte[] rawBytesFeature(String value) {
    return wire(c -> c.writeByteArray(1, wire(d -> d.writeString(1, value))));
  }

  static byte[] rawUnpackedFloats(float[] values, int from, int to) {
    return wire(d -> {
      for (int i = from; i < to; i++) {
        d.writeFloat(1, values[i]);
      }
    });
  }

  static byte[] rawPackedFloats(float[] values, int from, int to) {
    return wire(d -> {
      d.writeTag(1, 2);
      d.writeUInt32NoTag(4 * (to - from));
      for (int i = from; i < to; i++) {
        d.writeFloatNoTag(values[i]);
      }
    });
  }

  static byte[] floatFeatureOf(byte[] list) {
    return wire(c -> c.writeByteArray(2, list));
  }

  static byte[] rawUnpackedInt64s(long... values) {
    return wire(c -> c.writeByteArray(3, wire(d -> {
      for (long v : values) {
        d.writeInt64(1, v);
      }
    })));
  }

  @Test
  void unpackedFloatsAndInt64s() throws Exception {
    float[] rgb = Fixtures.values(1024, 5);
    float[] audio = Fixtures.values(128, 6);
    byte[] payload = rawExample(
        rawEntry("id", rawBytesFeature("unpacked"), false),
        rawEntry("labels", rawUnpackedInt64s(300, 2, 3000000000L % 3862), false),
        rawEntry("mean_rgb", floatFeatureOf(rawUnpackedFloats(rgb, 0, 1024)), false),
        rawEntry("mean_audio", floatFeatureOf(rawUnpackedFloats(audio, 0, 128)), false));
    // protobuf-java reads the hand-written bytes as the same Example
    DynamicMessage parsed = DynamicMessage.parseFrom(TfProtos.EXAMPLE, payload);
    Map<String, DynamicMessage> map = TfProtos.featureMap(TfProtos.subMessage(parsed, "features"));
    assertArrayEquals(rgb, TfProtos.floatValues(map.get("mean_rgb")));

    VideoRecord r = decode(YT8M, payload);
    assertEquals("unpacked", r.id());
    assertArrayEquals(new int[] {2, 300, (int) (3000000000L % 3862)}, r.labels());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
  }

  @Test
  void packedAndUnpackedChunksOfOneListConcatenate() throws Exception {
    float[] rgb = Fixtures.values(1024, 7);
    float[] audio = Fixtures.values(128, 8);
    byte[] rgbList = concat(rawPackedFloats(rgb, 0, 500), rawUnpackedFloats(rgb, 500, 503),
        rawPackedFloats(rgb, 503, 1024));
    byte[] payload = rawExample(
        rawEntry("id", rawBytesFeature("mixed"), false),
        rawEntry("labels", wire(c -> c.writeByteArray(3, concat(
            wire(d -> d.writeInt64(1, 9)),
            wire(d -> {
              d.writeTag(1, 2);
              d.writeUInt32NoTag(2);
              d.writeInt64NoTag(1);
              d.writeInt64NoTag(4);
            })))), false),
        rawEntry("mean_rgb", floatFeatureOf(rgbList), false),
        rawEntry("mean_audio", floatFeatureOf(rawPackedFloats(audio, 0, 128)), false));
    DynamicMessage parsed = DynamicMessage.parseFrom(TfProtos.EXAMPLE, payload);
    assertArrayEquals(rgb, TfProtos.floatValues(
        TfProtos.featureMap(TfProtos.subMessage(parsed, "features")).get("mean_rgb")));
    VideoRecord r = decode(YT8M, payload);
    assertArrayEquals(new int[] {1, 4, 9}, r.labels());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
  }

  @Test
  void mapEntriesWithTheValueBeforeTheKey() throws Exception {
    float[] rgb = Fixtures.values(1024, 9);
    float[] audio = Fixtures.values(128, 10);
    byte[] payload = rawExample(
        rawEntry("mean_audio", floatFeatureOf(rawPackedFloats(audio, 0, 128)), true),
        rawEntry("id", rawBytesFeature("vk"), true),
        rawEntry("labels", rawUnpackedInt64s(8, 1), true),
        rawEntry("mean_rgb", floatFeatureOf(rawPackedFloats(rgb, 0, 1024)), true));
    DynamicMessage parsed = DynamicMessage.parseFrom(TfProtos.EXAMPLE, payload);
    assertEquals(List.of("mean_audio", "id", "labels", "mean_rgb"),
        List.copyOf(TfProtos.featureMap(TfProtos.subMessage(parsed, "features")).keySet()));
    VideoRecord r = decode(YT8M, payload);
    assertEquals("vk", r.id());
    assertArrayEquals(new int[] {1, 8}, r.labels());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
  }

  @Test
  void aRepeatedMapKeyKeepsTheLastValue() throws Exception {
    float[] rgb = Fixtures.values(1024, 11);
    float[] audio = Fixtures.values(128, 12);
    byte[] payload = rawExample(
        rawEntry("id", rawBytesFeature("first"), false),
        rawEntry("labels", rawUnpackedInt64s(1), false),
        rawEntry("mean_rgb", floatFeatureOf(rawPackedFloats(new float[1024], 0, 1024)), false),
        rawEntry("mean_audio", floatFeatureOf(rawPackedFloats(audio, 0, 128)), false),
        rawEntry("mean_rgb", floatFeatureOf(rawPackedFloats(rgb, 0, 1024)), false),
        rawEntry("id", rawBytesFeature("last"), false));
    VideoRecord r = decode(YT8M, payload);
    assertEquals("last", r.id());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
  }

  // ---- our encoder, read back by protobuf-java ----

  @Test
  void encoderOutputIsAValidExampleWithEveryField() throws Exception {
    float[] rgb = Fixtures.values(1024, 13);
    float[] audio = Fixtures.values(128, 14);
    VideoRecord record = new VideoRecord("enc-1", new int[] {3, 77, 3861}, 1, Fixtures.concat(rgb, audio));
    byte[] bytes = new ExampleCodec(YT8M).encode(record);

    DynamicMessage parsed = DynamicMessage.parseFrom(TfProtos.EXAMPLE, bytes);
    assertTrue(TfProtos.noUnknownFields(parsed), "every field is one tf.train.Example declares");
    Map<String, DynamicMessage> map = TfProtos.featureMap(TfProtos.subMessage(parsed, "features"));
    assertEquals(List.of("id", "labels", "mean_rgb", "mean_audio"), List.copyOf(map.keySet()));
    assertEquals("bytes_list", TfProtos.kind(map.get("id")));
    assertEquals(List.of(ByteString.copyFromUtf8("enc-1")), TfProtos.bytesValues(map.get("id")));
    assertEquals("int64_list", TfProtos.kind(map.get("labels")));
    assertArrayEquals(new long[] {3, 77, 3861}, TfProtos.int64Values(map.get("labels")));
    assertEquals("float_list", TfProtos.kind(map.get("mean_rgb")));
    assertArrayEquals(rgb, TfProtos.floatValues(map.get("mean_rgb")));
    assertEquals("float_list", TfProtos.kind(map.get("mean_audio")));
    assertArrayEquals(audio, TfProtos.floatValues(map.get("mean_audio")));

    // and protobuf-java serializes the same message to the same bytes (packed lists, key before value)
    assertArrayEquals(Fixtures.yt8mExample("enc-1", new long[] {3, 77, 3861}, rgb, audio).toByteArray(), bytes);
    assertEquals(record, decode(YT8M, bytes));
  }

  @Test
  void encoderWritesAnEmptyInt64ListForAVideoWithoutLabels() throws Exception {
    VideoRecord record = new VideoRecord("nolabel", new int[0], 1, new float[1152]);
    byte[] bytes = new ExampleCodec(YT8M).encode(record);
    Map<String, DynamicMessage> map = TfProtos.featureMap(
        TfProtos.subMessage(DynamicMessage.parseFrom(TfProtos.EXAMPLE, bytes), "features"));
    assertEquals("int64_list", TfProtos.kind(map.get("labels")), "still typed int64 for TF's parser");
    assertArrayEquals(new long[0], TfProtos.int64Values(map.get("labels")));
    assertEquals(record, decode(YT8M, bytes));
  }

  @Test
  void encoderRejectsARecordOfTheWrongShape() {
    ExampleCodec codec = new ExampleCodec(YT8M);
    assertThrows(IllegalArgumentException.class,
        () -> codec.encode(new VideoRecord("a", new int[0], 1, new float[1151])));
    assertThrows(IllegalArgumentException.class,
        () -> codec.encode(new VideoRecord("a", new int[0], 2, new float[2304])));
    assertThrows(IllegalArgumentException.class,
        () -> new ExampleCodec(FeatureSpec.youtube8mFrame(10)));
  }

  // ---- other datasets ----

  private static final FeatureSpec SPORTS = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("video"),
      "label", List.of(new FeatureField("feat", 512)), 487, 300);

  @Test
  void customSpecWithOtherKeyNamesAndSizes() throws Exception {
    float[] feat = Fixtures.values(512, 15);
    byte[] payload = TfProtos.example(ordered(
        "label", int64Feature(486, 0),
        "feat", floatFeature(feat),
        "id", bytesFeature("not-the-id-key"),
        "video", bytesFeature("sports-1"))).toByteArray();
    VideoRecord r = decode(SPORTS, payload);
    assertEquals("sports-1", r.id());
    assertArrayEquals(new int[] {0, 486}, r.labels());
    assertArrayEquals(feat, r.features());
    assertEquals(512, r.dimension());

    byte[] encoded = new ExampleCodec(SPORTS).encode(r);
    Map<String, DynamicMessage> map = TfProtos.featureMap(
        TfProtos.subMessage(DynamicMessage.parseFrom(TfProtos.EXAMPLE, encoded), "features"));
    assertEquals(List.of("video", "label", "feat"), List.copyOf(map.keySet()));
    assertArrayEquals(feat, TfProtos.floatValues(map.get("feat")));
    assertNull(map.get("id"));

    // the YouTube-8M key names do not satisfy this spec
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(SPORTS,
        Fixtures.yt8mExample("y", new long[] {1}, new float[1024], new float[128]).toByteArray()));
    assertEquals(RecordProblem.MISSING_KEY, e.problem());
  }

  @Test
  void codecProblemsCarryTheKeyName() {
    byte[] payload = Fixtures.yt8mExample("k", new long[] {1}, new float[1024], new float[127]).toByteArray();
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(YT8M, payload));
    assertEquals(RecordProblem.WRONG_LENGTH, e.problem());
    assertTrue(e.getMessage().contains("mean_audio"), e.getMessage());
    assertTrue(e.getMessage().contains("127"), e.getMessage());

    byte[] negative = Fixtures.yt8mExample("k", new long[] {-1}, new float[1024], new float[128]).toByteArray();
    InvalidRecordException n = assertThrows(InvalidRecordException.class, () -> decode(YT8M, negative));
    assertEquals(RecordProblem.LABEL_OUT_OF_RANGE, n.problem());
  }

  /** An error quotes a huge id by its start and length: a 1 MB id makes a short message, not a 1 MB one. */
  @Test
  void aHugeIdIsQuotedByItsStartAndLength() {
    String id = "big" + "x".repeat(1_000_000);
    byte[] missing = TfProtos.example(ordered("id", bytesFeature(id), "mean_rgb", floatFeature(new float[1024]),
        "mean_audio", floatFeature(new float[128]))).toByteArray();
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(YT8M, missing));
    assertTrue(e.getMessage().contains("video 'bigxxx") && e.getMessage().contains("…' (1000003 chars): key 'labels' is "
        + "missing"), e.getMessage());
    assertTrue(e.getMessage().length() < 200, e.getMessage().length() + " chars");
    byte[] outOfRange = Fixtures.yt8mExample(id, new long[] {-1}, new float[1024], new float[128]).toByteArray();
    String m = assertThrows(InvalidRecordException.class, () -> decode(YT8M, outOfRange)).getMessage();
    assertTrue(m.length() < 200, m.length() + " chars");
  }

  @Test
  void forSpecPicksTheCodecOfTheLevel() {
    assertTrue(RecordCodec.forSpec(YT8M) instanceof ExampleCodec);
    assertTrue(RecordCodec.forSpec(FeatureSpec.youtube8mFrame(10)) instanceof SequenceExampleCodec);
    assertEquals(YT8M, RecordCodec.forSpec(YT8M).spec());
  }

  /**
   * A video without the labels key (YouTube-8M's test split) is bad where labels are required and
   * a video with no labels where they are optional; labels that are there are read, and checked, alike.
   */
  @Test
  void labelsMayBeAbsentOnlyWhereTheyAreOptional() throws Exception {
    float[] rgb = Fixtures.values(1024, 5);
    float[] audio = Fixtures.values(128, 6);
    byte[] unlabelled = TfProtos.example(ordered(
        "id", bytesFeature("t000"), "mean_rgb", floatFeature(rgb), "mean_audio", floatFeature(audio))).toByteArray();
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(YT8M, unlabelled));
    assertEquals(RecordProblem.MISSING_KEY, e.problem());
    assertTrue(e.getMessage().contains("t000") && e.getMessage().contains("labels"), e.getMessage());

    ExampleCodec optional = new ExampleCodec(YT8M, LabelPolicy.OPTIONAL);
    VideoRecord r = optional.decode(unlabelled, unlabelled.length);
    assertEquals("t000", r.id());
    assertArrayEquals(new int[0], r.labels());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
    byte[] labelled = Fixtures.yt8mExample("t001", new long[] {9, 2}, rgb, audio).toByteArray();
    assertArrayEquals(new int[] {2, 9}, optional.decode(labelled, labelled.length).labels());
    byte[] outOfRange = Fixtures.yt8mExample("t002", new long[] {FeatureSpec.YT8M_2018_CLASSES}, rgb, audio)
        .toByteArray();
    assertEquals(RecordProblem.LABEL_OUT_OF_RANGE, assertThrows(InvalidRecordException.class,
        () -> optional.decode(outOfRange, outOfRange.length)).problem());
  }
}
