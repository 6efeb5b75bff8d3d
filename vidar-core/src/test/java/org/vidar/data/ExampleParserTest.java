package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The strict whole-message parse behind every codec, case by case, each checked against protobuf-java's
 * own parser: what it refuses we refuse as MALFORMED, and what it merges we read merged.
 */
class ExampleParserTest {
  private static final FeatureSpec VIDEO = FeatureSpec.youtube8mVideo(FeatureSpec.YT8M_2018_CLASSES);
  private static final FeatureSpec FRAME = FeatureSpec.youtube8mFrame(FeatureSpec.YT8M_2018_CLASSES);

  private static VideoRecord decode(FeatureSpec spec, byte[] payload) throws InvalidRecordException {
    byte[] buffer = Arrays.copyOf(payload, payload.length + 11);
    Arrays.fill(buffer, payload.length, buffer.length, (byte) 0x0f); // stray bytes after the record are not read
    return RecordCodec.forSpec(spec).decode(buffer, payload.length);
  }

  private static boolean protobufAccepts(FeatureSpec spec, byte[] payload) {
    try {
      DynamicMessage.parseFrom(spec.level() == FeatureSpec.Level.VIDEO ? TfProtos.EXAMPLE : TfProtos.SEQUENCE_EXAMPLE,
          payload);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  /** Protobuf refuses the payload, and so does the codec, naming it MALFORMED, for decode and decodeLabels alike. */
  private static InvalidRecordException assertMalformed(FeatureSpec spec, byte[] payload) {
    assertFalse(protobufAccepts(spec, payload), "protobuf-java refuses it");
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(spec, payload));
    assertEquals(RecordProblem.MALFORMED, e.problem(), e.getMessage());
    InvalidRecordException labels = assertThrows(InvalidRecordException.class,
        () -> RecordCodec.forSpec(spec).decodeLabels(payload, payload.length));
    assertEquals(RecordProblem.MALFORMED, labels.problem(), "eval's labels-only read refuses it too");
    return e;
  }

  /** Protobuf accepts the payload, and the codec reads what protobuf's values give. */
  private static VideoRecord assertAsProtobuf(FeatureSpec spec, byte[] payload) throws InvalidRecordException {
    ProtobufOracle.Verdict v = ProtobufOracle.verdict(spec, LabelPolicy.REQUIRED, payload, false);
    assertFalse(v.refused(), "protobuf-java and the extraction rules accept it: " + v);
    VideoRecord r = decode(spec, payload);
    assertEquals(v.record(), r);
    assertArrayEquals(v.record().features(), r.features());
    return r;
  }

  private static byte[] video(String id, long[] labels, long seed) {
    return Fixtures.yt8mExample(id, labels, Fixtures.values(1024, seed), Fixtures.values(128, seed + 1)).toByteArray();
  }

  private static byte[] frames(String id, long[] labels, int frames, long seed) {
    return SequenceExampleCodecTest.yt8mSequence("id", id, labels, SequenceExampleCodecTest.frames(frames, 1024, seed),
        SequenceExampleCodecTest.frames(frames, 128, seed + 1)).toByteArray();
  }

  // ---- bytes after the fields we read are parsed too ----

  @Test
  void junkAfterAnExamplesFeaturesIsMalformed() {
    byte[] good = video("j", new long[] {1}, 1);
    assertMalformed(VIDEO, concat(good, new byte[] {0x0f})); // wire type 7
    assertMalformed(VIDEO, concat(good, new byte[] {0x0a, 0x05, 0x01})); // a length past the end
    assertMalformed(VIDEO, concat(good, new byte[] {0x0c})); // an end-group tag with no group
    assertMalformed(VIDEO, concat(good, new byte[] {0x10})); // a varint field cut before its value
    assertMalformed(VIDEO, concat(good, new byte[] {0x00, 0x01})); // field number 0
    InvalidRecordException e = assertMalformed(VIDEO, concat(good, new byte[] {0x0b, 0x08, 0x01}));
    assertTrue(e.getMessage().contains("group of field 1 is not closed"), e.getMessage());
    assertTrue(e.getMessage().contains("byte " + (good.length + 3)), "names where: " + e.getMessage());
  }

  @Test
  void junkAfterASequenceExamplesFeatureListsIsMalformed() {
    byte[] good = frames("f", new long[] {2}, 3, 5);
    assertMalformed(FRAME, concat(good, new byte[] {0x0f}));
    assertMalformed(FRAME, concat(good, new byte[] {0x12, 0x04, 0x0a}));
    assertMalformed(FRAME, concat(good, new byte[] {(byte) 0x80}));
  }

  @Test
  void wellFormedUnknownFieldsAnywhereAreSkippedAsProtobufSkipsThem() throws Exception {
    byte[] unknown = concat(wire(c -> c.writeUInt64(15, 1L << 60)), wire(c -> c.writeFixed64(16, 7)),
        wire(c -> c.writeByteArray(17, new byte[] {(byte) 0xff, 0x00})), wire(c -> c.writeFixed32(18, 9)),
        // a group holding a varint and a nested group
        new byte[] {(byte) 0x9b, 0x01, 0x08, 0x05, 0x1b, 0x1c, (byte) 0x9c, 0x01});
    byte[] id = wire(c -> c.writeByteArray(1, concat(unknown, wire(d -> d.writeString(1, "u")), unknown)));
    byte[] labels = wire(c -> c.writeByteArray(3, concat(unknown, wire(d -> d.writeInt64(1, 7)), unknown)));
    byte[] rgb = wire(c -> c.writeByteArray(2, concat(unknown,
        ExampleCodecTest.rawPackedFloats(Fixtures.values(1024, 3), 0, 1024), unknown)));
    byte[] audio = wire(c -> c.writeByteArray(2, ExampleCodecTest.rawPackedFloats(Fixtures.values(128, 4), 0, 128)));
    byte[] features = concat(unknown,
        wire(c -> c.writeByteArray(1, concat(unknown, ExampleCodecTest.rawEntry("id", concat(unknown, id), false)))),
        wire(c -> c.writeByteArray(1, ExampleCodecTest.rawEntry("labels", concat(labels, unknown), false))),
        wire(c -> c.writeByteArray(1, ExampleCodecTest.rawEntry("mean_rgb", rgb, true))),
        unknown,
        wire(c -> c.writeByteArray(1, ExampleCodecTest.rawEntry("mean_audio", audio, false))));
    byte[] payload = concat(unknown, wire(c -> c.writeByteArray(1, features)), unknown);
    VideoRecord r = assertAsProtobuf(VIDEO, payload);
    assertEquals("u", r.id());
    assertArrayEquals(new int[] {7}, r.labels());
  }

  @Test
  void malformedUnknownFieldsAreMalformedWhereverTheyAre() {
    byte[][] bad = {
        {0x0e}, // wire type 6
        {0x1b, 0x08, 0x01, 0x24}, // a group of field 3 closed by the end tag of field 4
        {0x1b, 0x08}, // a group cut inside
        {0x1c}, // an end-group tag with no group
        {0x10, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}, // an eleven-byte varint
        {0x1d, 0x01, 0x02}, // a fixed32 cut short
        {0x19, 0x01}, // a fixed64 cut short
    };
    byte[] good = video("m", new long[] {1}, 1);
    for (byte[] b : bad) {
      assertMalformed(VIDEO, concat(good, b));
      assertMalformed(VIDEO, concat(b, good));
      // in the Int64List of a key no reader wants, four messages down
      byte[] unread = wire(c -> c.writeByteArray(3, concat(wire(d -> d.writeInt64(1, 1)), b)));
      assertMalformed(VIDEO, concat(good, ExampleCodecTest.rawExample(ExampleCodecTest.rawEntry("unread", unread, false))));
    }
  }

  @Test
  void malformedBytesInAKeyNoReaderWantsAreMalformed() {
    // an unused key whose packed int64 list ends inside a varint, and one whose packed floats are not whole
    byte[] cutVarint = wire(c -> c.writeByteArray(3, new byte[] {0x0a, 0x02, (byte) 0x80, (byte) 0x80}));
    byte[] partFloat = wire(c -> c.writeByteArray(2, new byte[] {0x0a, 0x06, 0, 0, 0, 0, 0, 0}));
    for (byte[] feature : List.of(cutVarint, partFloat)) {
      byte[] payload = ExampleCodecTest.rawExample(
          ExampleCodecTest.rawEntry("id", ExampleCodecTest.rawBytesFeature("x"), false),
          ExampleCodecTest.rawEntry("labels", ExampleCodecTest.rawUnpackedInt64s(1), false),
          ExampleCodecTest.rawEntry("segment_labels", feature, false),
          ExampleCodecTest.rawEntry("mean_rgb", ExampleCodecTest.floatFeatureOf(
              ExampleCodecTest.rawPackedFloats(new float[1024], 0, 1024)), false),
          ExampleCodecTest.rawEntry("mean_audio", ExampleCodecTest.floatFeatureOf(
              ExampleCodecTest.rawPackedFloats(new float[128], 0, 128)), false));
      InvalidRecordException e = assertMalformed(VIDEO, payload);
      assertTrue(e.getMessage().contains("segment_labels"), "names the key: " + e.getMessage());
    }
  }

  @Test
  void aMapKeyThatIsNotUtf8IsMalformedEvenOnAKeyNoReaderWants() throws Exception {
    byte[][] badKeys = {{(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xff},
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {'a', (byte) 0xe2, (byte) 0x82}};
    for (byte[] key : badKeys) {
      byte[] entry = wire(c -> {
        c.writeByteArray(1, key);
        c.writeByteArray(2, ExampleCodecTest.rawBytesFeature("v"));
      });
      byte[] payload = concat(video("k", new long[] {1}, 1), wire(c -> c.writeByteArray(1, wire(d -> d.writeByteArray(1, entry)))));
      assertMalformed(VIDEO, payload);
    }
    // well-formed UTF-8 keys of every length are fine
    byte[] payload = concat(video("k", new long[] {1}, 1), TfProtos.example(ordered(
        "é", bytesFeature("2"), "日本", bytesFeature("3"), "\uD83D\uDE00", bytesFeature("4"))).toByteArray());
    assertEquals("k", assertAsProtobuf(VIDEO, payload).id());
  }

  @Test
  void utf8CheckAgreesWithProtobufs() {
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        byte[] two = {(byte) a, (byte) b};
        assertEquals(ByteString.copyFrom(two).isValidUtf8(), Utf8.isValid(two, 0, 2), Arrays.toString(two));
        byte[] one = {(byte) a};
        assertEquals(ByteString.copyFrom(one).isValidUtf8(), Utf8.isValid(one, 0, 1));
      }
    }
    SplittableRandom r = new SplittableRandom(3);
    byte[] lead = {(byte) 0xe0, (byte) 0xe1, (byte) 0xed, (byte) 0xef, (byte) 0xf0, (byte) 0xf1, (byte) 0xf4, (byte) 0xf5};
    for (int i = 0; i < 200_000; i++) {
      byte[] s = new byte[1 + r.nextInt(6)];
      r.nextBytes(s);
      if (r.nextBoolean()) {
        s[0] = lead[r.nextInt(lead.length)];
        for (int k = 1; k < s.length; k++) {
          s[k] = (byte) (0x80 | r.nextInt(0x40));
        }
      }
      assertEquals(ByteString.copyFrom(s).isValidUtf8(), Utf8.isValid(s, 0, s.length), Arrays.toString(s));
    }
  }

  // ---- merging, as protobuf merges ----

  @Test
  void twoConcatenatedExamplesReadAsTheMessageProtobufMergesThemInto() throws Exception {
    byte[] a = video("first", new long[] {1, 2}, 10);
    byte[] b = video("second", new long[] {3}, 20);
    // Example.features occurs twice: the maps merge and each key keeps its last entry, all from b
    VideoRecord r = assertAsProtobuf(VIDEO, concat(a, b));
    assertEquals(decode(VIDEO, b), r);
    assertEquals("second", r.id());
    assertEquals(decode(VIDEO, a), assertAsProtobuf(VIDEO, concat(b, a)));
  }

  @Test
  void aSecondFeaturesMessageAddsAndReplacesKeys() throws Exception {
    float[] rgb = Fixtures.values(1024, 30);
    float[] audio = Fixtures.values(128, 31);
    byte[] first = TfProtos.example(ordered("id", bytesFeature("one"), "labels", int64Feature(4),
        "mean_audio", floatFeature(audio))).toByteArray();
    byte[] second = TfProtos.example(ordered("labels", int64Feature(5, 6), "mean_rgb", floatFeature(rgb))).toByteArray();
    VideoRecord r = assertAsProtobuf(VIDEO, concat(first, second));
    assertEquals("one", r.id());
    assertArrayEquals(new int[] {5, 6}, r.labels());
    assertArrayEquals(Fixtures.concat(rgb, audio), r.features());
  }

  @Test
  void twoConcatenatedSequenceExamplesMergeTheirContextAndLists() throws Exception {
    byte[] a = frames("fa", new long[] {1}, 4, 40);
    byte[] b = frames("fb", new long[] {2}, 2, 50);
    VideoRecord r = assertAsProtobuf(FRAME, concat(a, b));
    assertEquals(decode(FRAME, b), r);
    assertEquals(2, r.numFrames());
  }

  /** A Feature is a oneof: a later kind of list replaces the earlier one, the same kind merges into it. */
  @Test
  void aFeaturesListKindIsTheLastOneAndTheSameKindMerges() throws Exception {
    float[] rgb = Fixtures.values(1024, 60);
    byte[] halves = concat(floatFeatureBytes(rgb, 0, 500), floatFeatureBytes(rgb, 500, 1024));
    byte[] ints = wire(c -> c.writeByteArray(3, wire(d -> d.writeInt64(1, 9))));
    float[] audio = Fixtures.values(128, 61);
    byte[] audioFeature = floatFeatureBytes(audio, 0, 128);
    // the merged messages within one Feature, or as value fields of one map entry
    for (boolean inOneFeature : new boolean[] {true, false}) {
      byte[] halvesEntry = inOneFeature ? ExampleCodecTest.rawEntry("mean_rgb", halves, false)
          : entryWithValues("mean_rgb", floatFeatureBytes(rgb, 0, 500), floatFeatureBytes(rgb, 500, 1024));
      assertArrayEquals(Fixtures.concat(rgb, audio), assertAsProtobuf(VIDEO, withRgbEntry(halvesEntry, audioFeature))
          .features());

      // floats then int64s: the int64s win, and mean_rgb holds the wrong type
      byte[] intsLast = withRgbEntry(inOneFeature ? ExampleCodecTest.rawEntry("mean_rgb", concat(halves, ints), false)
          : entryWithValues("mean_rgb", halves, ints), audioFeature);
      assertEquals(RecordProblem.WRONG_TYPE,
          ProtobufOracle.verdict(VIDEO, LabelPolicy.REQUIRED, intsLast, false).problem());
      assertEquals(RecordProblem.WRONG_TYPE, assertThrows(InvalidRecordException.class,
          () -> decode(VIDEO, intsLast)).problem());

      // int64s, then floats twice: the int64s are replaced and the floats merge
      byte[] floatsLast = withRgbEntry(inOneFeature ? ExampleCodecTest.rawEntry("mean_rgb", concat(ints, halves), false)
          : entryWithValues("mean_rgb", ints, floatFeatureBytes(rgb, 0, 500), floatFeatureBytes(rgb, 500, 1024)),
          audioFeature);
      assertArrayEquals(Fixtures.concat(rgb, audio), assertAsProtobuf(VIDEO, floatsLast).features());
    }
  }

  private static byte[] withRgbEntry(byte[] rgbEntry, byte[] audioFeature) {
    return ExampleCodecTest.rawExample(
        ExampleCodecTest.rawEntry("id", ExampleCodecTest.rawBytesFeature("kinds"), false),
        ExampleCodecTest.rawEntry("labels", ExampleCodecTest.rawUnpackedInt64s(1), false),
        rgbEntry,
        ExampleCodecTest.rawEntry("mean_audio", audioFeature, false));
  }

  private static byte[] floatFeatureBytes(float[] values, int from, int to) {
    return ExampleCodecTest.floatFeatureOf(ExampleCodecTest.rawPackedFloats(values, from, to));
  }

  /** A map entry whose value field occurs once per feature given: protobuf merges them. */
  private static byte[] entryWithValues(String key, byte[]... features) {
    return wire(c -> {
      c.writeString(1, key);
      for (byte[] f : features) {
        c.writeByteArray(2, f);
      }
    });
  }

  @Test
  void aFeatureListWhoseValueOccursTwiceHasTheFramesOfBoth() throws Exception {
    byte[][] rgb = SequenceExampleCodecTest.frames(3, 1024, 70);
    byte[][] audio = SequenceExampleCodecTest.frames(3, 128, 71);
    byte[] context = TfProtos.features(ordered("id", bytesFeature("fl"), "labels", int64Feature(1))).toByteArray();
    ByteArrayOutputStream rgbEntry = new ByteArrayOutputStream();
    rgbEntry.writeBytes(wire(c -> c.writeString(1, "rgb")));
    for (int t = 0; t < 3; t++) {
      byte[] frame = bytesFeature(rgb[t]).toByteArray();
      rgbEntry.writeBytes(wire(c -> c.writeByteArray(2, wire(d -> d.writeByteArray(1, frame)))));
    }
    byte[] audioList = TfProtos.sequenceExample(ordered(), ordered("audio",
        SequenceExampleCodecTest.frameFeatures(audio))).toByteArray();
    byte[] payload = concat(wire(c -> c.writeByteArray(1, context)),
        wire(c -> c.writeByteArray(2, wire(d -> d.writeByteArray(1, rgbEntry.toByteArray())))), audioList);
    VideoRecord r = assertAsProtobuf(FRAME, payload);
    SequenceExampleCodecTest.assertFrames(r, rgb, audio);
  }

  /** A frame that is an empty bytes_list with a three-byte length, the last bytes of the buffer: nothing is read past them. */
  @Test
  void aFrameEndingTheBufferIsNotReadPast() {
    byte[] rgbFrame = bytesFeature(new byte[1024]).toByteArray();
    byte[] oddFrame = {0x0a, (byte) 0x80, (byte) 0x80, 0x00};
    byte[] lists = concat(
        wire(c -> c.writeByteArray(1, concat(wire(d -> d.writeString(1, "rgb")),
            wire(d -> d.writeByteArray(2, wire(e -> e.writeByteArray(1, rgbFrame))))))),
        wire(c -> c.writeByteArray(1, concat(wire(d -> d.writeString(1, "audio")),
            wire(d -> d.writeByteArray(2, wire(e -> e.writeByteArray(1, oddFrame))))))));
    byte[] payload = concat(
        wire(c -> c.writeByteArray(1, TfProtos.features(ordered("id", bytesFeature("end"), "labels", int64Feature(1)))
            .toByteArray())),
        wire(c -> c.writeByteArray(2, lists)));
    assertTrue(Arrays.equals(oddFrame, Arrays.copyOfRange(payload, payload.length - 4, payload.length)));
    assertEquals(RecordProblem.WRONG_LENGTH, ProtobufOracle.verdict(FRAME, LabelPolicy.REQUIRED, payload, false).problem());
    InvalidRecordException e = assertThrows(InvalidRecordException.class,
        () -> RecordCodec.forSpec(FRAME).decode(payload, payload.length));
    assertEquals(RecordProblem.WRONG_LENGTH, e.problem(), e.getMessage());
  }

  @Test
  void longerThanMinimalVarintsAreReadAsProtobufReadsThem() throws Exception {
    byte[] good = video("pad", new long[] {8}, 80);
    // the Example's field 1 tag as two bytes, its length as six (protobuf keeps the low 32 bits of up to ten)
    int[] p = {1};
    long len = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = good[p[0]++];
      len |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        break;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x8a, 0x00});
    WireTree.writeVarint(out, len | (1L << 40), 0);
    out.writeBytes(Arrays.copyOfRange(good, p[0], good.length));
    assertEquals(decode(VIDEO, good), assertAsProtobuf(VIDEO, out.toByteArray()));
  }

  /** protobuf-java refuses messages and groups nested past 100 levels; so do we, at the same depth. */
  @Test
  void groupsNestAsDeepAsProtobufAllowsAndNoDeeper() throws Exception {
    byte[] good = video("deep", new long[] {1}, 90);
    for (int levels : new int[] {96, 97, 100, 101}) {
      byte[] groups = nestedGroups(20, levels);
      byte[] atTop = concat(good, groups);
      // and inside the labels' Int64List, four messages down (Example, Features, entry, Feature)
      byte[] inList = concat(good, ExampleCodecTest.rawExample(
          ExampleCodecTest.rawEntry("labels", wire(c -> c.writeByteArray(3, groups)), false)));
      for (byte[] payload : List.of(atTop, inList)) {
        if (protobufAccepts(VIDEO, payload)) {
          assertEquals("deep", assertAsProtobuf(VIDEO, payload).id(), levels + " levels");
        } else {
          InvalidRecordException e = assertMalformed(VIDEO, payload);
          assertTrue(e.getMessage().contains("limit of 100"), e.getMessage());
        }
      }
      assertEquals(levels <= 100, protobufAccepts(VIDEO, atTop), levels + " groups at the top");
      assertEquals(levels <= 96, protobufAccepts(VIDEO, inList), levels + " groups in an Int64List");
    }
  }

  private static byte[] nestedGroups(int field, int levels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < levels; i++) {
      WireTree.writeVarint(out, (field << 3) | 3, 0);
    }
    for (int i = 0; i < levels; i++) {
      WireTree.writeVarint(out, (field << 3) | 4, 0);
    }
    return out.toByteArray();
  }

  /** The finite check is one pass over the largest magnitude; every NaN and infinity, anywhere, is still named. */
  @Test
  void everyNonFiniteValueIsFoundWhereverItIs() throws Exception {
    FeatureSpec small = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels",
        List.of(new FeatureField("a", 9), new FeatureField("b", 4)), 10, 300);
    float[] bad = {Float.NaN, Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7f800001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (boolean packed : new boolean[] {true, false}) {
      for (int at = 0; at < 13; at++) {
        for (float x : bad) {
          float[] v = Fixtures.values(13, at);
          v[at] = x;
          byte[] a = packed ? ExampleCodecTest.rawPackedFloats(v, 0, 9) : ExampleCodecTest.rawUnpackedFloats(v, 0, 9);
          byte[] payload = ExampleCodecTest.rawExample(
              ExampleCodecTest.rawEntry("id", ExampleCodecTest.rawBytesFeature("nf"), false),
              ExampleCodecTest.rawEntry("labels", ExampleCodecTest.rawUnpackedInt64s(1), false),
              ExampleCodecTest.rawEntry("a", ExampleCodecTest.floatFeatureOf(a), false),
              ExampleCodecTest.rawEntry("b", ExampleCodecTest.floatFeatureOf(
                  ExampleCodecTest.rawPackedFloats(v, 9, 13)), false));
          InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(small, payload));
          assertEquals(RecordProblem.NON_FINITE, e.problem());
          String where = "key '" + (at < 9 ? "a" : "b") + "' value " + (at < 9 ? at : at - 9) + " is ";
          assertTrue(e.getMessage().contains(where), e.getMessage());
        }
      }
    }
    float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f, 1e-40f, -3f, 3f, 1e38f, -1e38f,
        Float.MIN_NORMAL, 7f, -7f};
    byte[] fine = TfProtos.example(ordered("id", bytesFeature("ok"), "labels", int64Feature(1),
        "a", floatFeature(Arrays.copyOf(extremes, 9)), "b", floatFeature(Arrays.copyOfRange(extremes, 9, 13))))
        .toByteArray();
    assertArrayEquals(extremes, decode(small, fine).features());
  }

  @Test
  void aKnownFieldOfAnotherWireTypeIsAnUnknownField() throws Exception {
    // Example.features as a varint: no features at all (protobuf keeps it as an unknown field)
    byte[] payload = concat(video("wt", new long[] {2}, 100), wire(c -> c.writeUInt32(1, 5)));
    assertEquals("wt", assertAsProtobuf(VIDEO, payload).id());
    byte[] alone = wire(c -> c.writeUInt32(1, 5));
    assertEquals(RecordProblem.MISSING_KEY, ProtobufOracle.verdict(VIDEO, LabelPolicy.REQUIRED, alone, false).problem());
    assertEquals(RecordProblem.MISSING_KEY, assertThrows(InvalidRecordException.class, () -> decode(VIDEO, alone)).problem());
  }
}
