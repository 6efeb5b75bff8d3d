package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vidar.data.TfProtos.bytesFeature;
import static org.vidar.data.TfProtos.floatFeature;
import static org.vidar.data.TfProtos.int64Feature;
import static org.vidar.data.TfProtos.ordered;

import com.google.protobuf.DynamicMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VideoReaderBadRecordTest {
  private static final FeatureSpec VIDEO = FeatureSpec.youtube8mVideo(FeatureSpec.YT8M_2018_CLASSES);
  private static final FeatureSpec FRAME = FeatureSpec.youtube8mFrame(FeatureSpec.YT8M_2018_CLASSES);

  @TempDir
  Path dir;

  // ---- payloads ----

  private static float[] rgb() {
    return Fixtures.values(1024, 1);
  }

  private static float[] audio() {
    return Fixtures.values(128, 2);
  }

  private static byte[] example(Object... kv) {
    return TfProtos.example(ordered(kv)).toByteArray();
  }

  private static float[] with(float[] v, int i, float x) {
    float[] c = v.clone();
    c[i] = x;
    return c;
  }

  static Stream<Arguments> badVideoPayloads() {
    byte[] good = Fixtures.goodVideo("g", 5);
    return Stream.of(
        Arguments.of("mean_rgb too short", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", floatFeature(Arrays.copyOf(rgb(), 1023)), "mean_audio", floatFeature(audio())),
            RecordProblem.WRONG_LENGTH, "mean_rgb"),
        Arguments.of("mean_audio too long", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(Arrays.copyOf(audio(), 129))),
            RecordProblem.WRONG_LENGTH, "mean_audio"),
        Arguments.of("NaN", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(with(audio(), 5, Float.NaN))),
            RecordProblem.NON_FINITE, "mean_audio"),
        Arguments.of("+Inf", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", floatFeature(with(rgb(), 1000, Float.POSITIVE_INFINITY)), "mean_audio", floatFeature(audio())),
            RecordProblem.NON_FINITE, "mean_rgb"),
        Arguments.of("-Inf", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", floatFeature(with(rgb(), 0, Float.NEGATIVE_INFINITY)), "mean_audio", floatFeature(audio())),
            RecordProblem.NON_FINITE, "mean_rgb"),
        Arguments.of("label = numClasses", example("id", bytesFeature("a"), "labels", int64Feature(4, 3862),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.LABEL_OUT_OF_RANGE, "3862"),
        Arguments.of("negative label", example("id", bytesFeature("a"), "labels", int64Feature(-1),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.LABEL_OUT_OF_RANGE, "-1"),
        Arguments.of("label past int range", example("id", bytesFeature("a"), "labels", int64Feature(1L << 32),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.LABEL_OUT_OF_RANGE, "4294967296"),
        Arguments.of("duplicate label", example("id", bytesFeature("a"), "labels", int64Feature(5, 9, 5),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.DUPLICATE_LABEL, "more than once"),
        Arguments.of("no id key", example("labels", int64Feature(1),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.MISSING_KEY, "id"),
        Arguments.of("no labels key", example("id", bytesFeature("a"),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.MISSING_KEY, "labels"),
        Arguments.of("no mean_audio key", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", floatFeature(rgb())),
            RecordProblem.MISSING_KEY, "mean_audio"),
        Arguments.of("empty Example", new byte[0], RecordProblem.MISSING_KEY, "id"),
        Arguments.of("floats under the id key", example("id", floatFeature(1f), "labels", int64Feature(1),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.WRONG_TYPE, "'id'"),
        Arguments.of("floats under labels", example("id", bytesFeature("a"), "labels", floatFeature(1f),
            "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.WRONG_TYPE, "labels"),
        Arguments.of("int64s under mean_rgb", example("id", bytesFeature("a"), "labels", int64Feature(1),
            "mean_rgb", int64Feature(1, 2), "mean_audio", floatFeature(audio())),
            RecordProblem.WRONG_TYPE, "mean_rgb"),
        Arguments.of("two ids", example("id", TfProtos.bytesFeature("a".getBytes(), "b".getBytes()),
            "labels", int64Feature(1), "mean_rgb", floatFeature(rgb()), "mean_audio", floatFeature(audio())),
            RecordProblem.WRONG_LENGTH, "id"),
        Arguments.of("length past the end", new byte[] {0x0a, 0x05, 0x01}, RecordProblem.MALFORMED, ""),
        Arguments.of("cut protobuf", Arrays.copyOf(good, good.length / 2), RecordProblem.MALFORMED, ""),
        Arguments.of("invalid wire type", new byte[] {0x0f, 0x01, 0x02}, RecordProblem.MALFORMED, ""),
        Arguments.of("garbage varint", new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            RecordProblem.MALFORMED, ""));
  }

  private static List<DynamicMessage> frameList(int frames, int size, long seed) {
    List<DynamicMessage> out = new ArrayList<>();
    for (int t = 0; t < frames; t++) {
      out.add(bytesFeature(Fixtures.bytes(size, seed + t)));
    }
    return out;
  }

  private static byte[] sequence(Map<String, DynamicMessage> context, Object... lists) {
    return TfProtos.sequenceExample(context, ordered(lists)).toByteArray();
  }

  private static Map<String, DynamicMessage> context(String id) {
    return ordered("id", bytesFeature(id), "labels", int64Feature(3));
  }

  static byte[] goodSequence(String id, long seed) {
    return sequence(context(id), "rgb", frameList(3, 1024, seed), "audio", frameList(3, 128, seed + 50));
  }

  static Stream<Arguments> badFramePayloads() {
    List<DynamicMessage> withTwoValues = new ArrayList<>(frameList(3, 128, 9));
    withTwoValues.set(1, TfProtos.bytesFeature(new byte[128], new byte[128]));
    List<DynamicMessage> withFloats = new ArrayList<>(frameList(3, 1024, 9));
    withFloats.set(2, floatFeature(1f));
    return Stream.of(
        Arguments.of("unequal frame lists", sequence(context("a"),
            "rgb", frameList(3, 1024, 1), "audio", frameList(2, 128, 2)), RecordProblem.BAD_FRAMES, "audio"),
        Arguments.of("no frames", sequence(context("a"),
            "rgb", frameList(0, 1024, 1), "audio", frameList(0, 128, 2)), RecordProblem.BAD_FRAMES, "no frames"),
        Arguments.of("rgb frame of 1023 bytes", sequence(context("a"),
            "rgb", List.of(bytesFeature(new byte[1024]), bytesFeature(new byte[1023]), bytesFeature(new byte[1024])),
            "audio", frameList(3, 128, 2)), RecordProblem.WRONG_LENGTH, "rgb"),
        Arguments.of("audio frame of 129 bytes", sequence(context("a"),
            "rgb", frameList(3, 1024, 1), "audio", List.of(bytesFeature(new byte[128]),
                bytesFeature(new byte[128]), bytesFeature(new byte[129]))), RecordProblem.WRONG_LENGTH, "audio"),
        Arguments.of("frame with two byte strings", sequence(context("a"),
            "rgb", frameList(3, 1024, 1), "audio", withTwoValues), RecordProblem.WRONG_LENGTH, "audio"),
        Arguments.of("floats in a frame", sequence(context("a"),
            "rgb", withFloats, "audio", frameList(3, 128, 2)), RecordProblem.WRONG_TYPE, "rgb"),
        Arguments.of("no audio list", sequence(context("a"),
            "rgb", frameList(3, 1024, 1)), RecordProblem.MISSING_KEY, "audio"),
        Arguments.of("no id in context", sequence(ordered("labels", int64Feature(3)),
            "rgb", frameList(3, 1024, 1), "audio", frameList(3, 128, 2)), RecordProblem.MISSING_KEY, "id"),
        Arguments.of("label out of range", sequence(ordered("id", bytesFeature("a"), "labels", int64Feature(5000)),
            "rgb", frameList(3, 1024, 1), "audio", frameList(3, 128, 2)), RecordProblem.LABEL_OUT_OF_RANGE, "5000"),
        Arguments.of("malformed", new byte[] {0x12, 0x7f, 0x00}, RecordProblem.MALFORMED, ""));
  }

  // ---- checks ----

  /** Writes good, bad, good and checks FAIL and SKIP; returns nothing, asserts everything. */
  private void checkBadMiddleRecord(FeatureSpec spec, byte[] good0, byte[] bad, byte[] good2,
      RecordProblem problem, String fragment) throws Exception {
    byte[][] payloads = {good0, bad, good2};
    Path file = Fixtures.writeTfRecord(dir.resolve("bad.tfrecord"), payloads);
    List<InputFile> files = DataPaths.resolve(List.of(file.toString()));
    long offset = Fixtures.offsetOf(payloads, 1);
    RecordCodec codec = RecordCodec.forSpec(spec);

    try (VideoReader reader = new VideoReader(files, spec, BadRecordPolicy.FAIL)) {
      assertEquals(codec.decode(good0, good0.length), reader.next());
      BadRecordException e = assertThrows(BadRecordException.class, reader::next);
      assertLocated(e, file, 1, offset, problem);
      assertTrue(e.detail().contains(fragment), "detail names '" + fragment + "': " + e.detail());
      assertEquals(0, reader.skipped().total());
    }

    try (VideoReader reader = new VideoReader(files, spec, BadRecordPolicy.SKIP)) {
      List<VideoRecord> got = Fixtures.readAll(reader);
      assertEquals(List.of(codec.decode(good0, good0.length), codec.decode(good2, good2.length)), got);
      assertEquals(1, reader.skipped().total());
      assertEquals(Map.of(problem, 1L), reader.skipped().counts());
      assertEquals(1, reader.skipped().examples().size());
      assertTrue(reader.skipped().examples().get(0).contains(file.toString()));
      assertTrue(reader.skipped().summary().contains(problem.description()), reader.skipped().summary());
      assertEquals(2, reader.records());
      assertEquals(Files.size(file), reader.bytesRead());
    }
  }

  static void assertLocated(BadRecordException e, Path file, long index, long offset, RecordProblem problem) {
    String m = e.getMessage();
    assertEquals(problem, e.problem(), m);
    assertEquals(file.toString(), e.file());
    assertEquals(index, e.recordIndex(), m);
    assertEquals(offset, e.byteOffset(), m);
    assertTrue(m.contains(file.toString()), "message names the file: " + m);
    assertTrue(Pattern.compile("\\brecord " + index + "\\b").matcher(m).find(), "names the record: " + m);
    assertTrue(Pattern.compile("\\boffset " + offset + "\\b").matcher(m).find(), "names the offset: " + m);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badVideoPayloads")
  void badVideoLevelRecord(String name, byte[] bad, RecordProblem problem, String fragment) throws Exception {
    checkBadMiddleRecord(VIDEO, Fixtures.goodVideo("g0", 10), bad, Fixtures.goodVideo("g2", 20), problem, fragment);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFramePayloads")
  void badFrameLevelRecord(String name, byte[] bad, RecordProblem problem, String fragment) throws Exception {
    checkBadMiddleRecord(FRAME, goodSequence("f0", 100), bad, goodSequence("f2", 200), problem, fragment);
  }

  // ---- framing problems through the reader ----

  private static final byte[][] THREE = {
      Fixtures.goodVideo("a0", 1), Fixtures.goodVideo("a1", 2), Fixtures.goodVideo("a2", 3)};

  private Path writeThree(String name) throws IOException {
    return Fixtures.writeTfRecord(dir.resolve(name), THREE);
  }

  private static void flip(Path file, long at) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) at] ^= 0x10;
    Files.write(file, b);
  }

  private static void cut(Path file, long length) throws IOException {
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), (int) length));
  }

  private BadRecordException failOnSecond(Path file) throws IOException {
    try (VideoReader reader = new VideoReader(DataPaths.resolve(List.of(file.toString())), VIDEO,
        BadRecordPolicy.FAIL)) {
      assertEquals("a0", reader.next().id());
      return assertThrows(BadRecordException.class, reader::next);
    }
  }

  @Test
  void payloadCrcMismatch() throws IOException {
    Path file = writeThree("crc.tfrecord");
    long off = Fixtures.offsetOf(THREE, 1);
    flip(file, off + 12 + 100);
    assertLocated(failOnSecond(file), file, 1, off, RecordProblem.CORRUPT_DATA);
  }

  @Test
  void lengthCrcMismatchFromALengthByte() throws IOException {
    Path file = writeThree("len.tfrecord");
    long off = Fixtures.offsetOf(THREE, 1);
    flip(file, off + 1);
    assertLocated(failOnSecond(file), file, 1, off, RecordProblem.CORRUPT_LENGTH);
  }

  @Test
  void lengthCrcMismatchFromTheStoredCrc() throws IOException {
    Path file = writeThree("lencrc.tfrecord");
    long off = Fixtures.offsetOf(THREE, 1);
    flip(file, off + 9);
    assertLocated(failOnSecond(file), file, 1, off, RecordProblem.CORRUPT_LENGTH);
  }

  @Test
  void truncatedMidRecord() throws IOException {
    Path file = writeThree("cutrec.tfrecord");
    long off = Fixtures.offsetOf(THREE, 1);
    cut(file, off + 12 + THREE[1].length / 2);
    assertLocated(failOnSecond(file), file, 1, off, RecordProblem.TRUNCATED);
  }

  @Test
  void truncatedMidHeader() throws IOException {
    Path file = writeThree("cuthead.tfrecord");
    long off = Fixtures.offsetOf(THREE, 1);
    cut(file, off + 7);
    assertLocated(failOnSecond(file), file, 1, off, RecordProblem.TRUNCATED);
  }

  /** Under SKIP, a lost framing moves the reader to the next file. */
  private void skipMovesOn(String name, RecordProblem problem, FileDamage damage) throws IOException {
    Path first = writeThree("1-" + name + ".tfrecord");
    damage.apply(first, Fixtures.offsetOf(THREE, 1));
    Path second = Fixtures.writeTfRecord(dir.resolve("2-" + name + ".tfrecord"),
        Fixtures.goodVideo("b0", 7), Fixtures.goodVideo("b1", 8));
    try (VideoReader reader = new VideoReader(
        DataPaths.resolve(List.of(first.toString(), second.toString())), VIDEO, BadRecordPolicy.SKIP)) {
      List<String> ids = Fixtures.ids(Fixtures.readAll(reader));
      List<String> expected = problem.losesRestOfFile()
          ? List.of("a0", "b0", "b1") : List.of("a0", "a2", "b0", "b1");
      assertEquals(expected, ids);
      assertEquals(1, reader.skipped().total());
      assertEquals(Map.of(problem, 1L), reader.skipped().counts());
      assertTrue(reader.skipped().examples().get(0).contains(first.toString()));
      assertEquals(expected.size(), reader.records());
      assertNull(reader.next(), "stays at the end");
    }
  }

  @FunctionalInterface
  private interface FileDamage {
    void apply(Path file, long recordOffset) throws IOException;
  }

  @Test
  void skipAfterPayloadCrcMismatchGoesOnInTheSameFile() throws IOException {
    skipMovesOn("crc", RecordProblem.CORRUPT_DATA, (f, off) -> flip(f, off + 12 + 3));
  }

  @Test
  void skipAfterLengthCrcMismatchMovesToTheNextFile() throws IOException {
    skipMovesOn("len", RecordProblem.CORRUPT_LENGTH, (f, off) -> flip(f, off));
  }

  @Test
  void skipAfterTruncationMidRecordMovesToTheNextFile() throws IOException {
    skipMovesOn("cutrec", RecordProblem.TRUNCATED, (f, off) -> cut(f, off + 12 + 40));
  }

  @Test
  void skipAfterTruncationMidHeaderMovesToTheNextFile() throws IOException {
    skipMovesOn("cuthead", RecordProblem.TRUNCATED, (f, off) -> cut(f, off + 3));
  }

  /** A .gz file cut short (a copy interrupted mid-way) is a truncated file like any other. */
  @Test
  void truncatedGzipFileIsATruncatedRecord() throws IOException {
    byte[][] payloads = new byte[20][];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < payloads.length; i++) {
      payloads[i] = Fixtures.goodVideo("z" + i, 40 + i);
      ids.add("z" + i);
    }
    Path gz = dir.resolve("1-cut.tfrecord.gz");
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      Fixtures.writeTfRecord(out, payloads);
    }
    cut(gz, Files.size(gz) / 2);
    Path next = Fixtures.writeTfRecord(dir.resolve("2-next.tfrecord"), Fixtures.goodVideo("n0", 1));
    List<InputFile> files = DataPaths.resolve(List.of(gz.toString(), next.toString()));

    try (VideoReader reader = new VideoReader(files, VIDEO, BadRecordPolicy.FAIL)) {
      BadRecordException e = assertThrows(BadRecordException.class, () -> Fixtures.readAll(reader));
      assertEquals(RecordProblem.TRUNCATED, e.problem(), e.getMessage());
      assertEquals(gz.toString(), e.file());
      assertTrue(e.getMessage().contains(gz.toString()), e.getMessage());
    }
    try (VideoReader reader = new VideoReader(files, VIDEO, BadRecordPolicy.SKIP)) {
      List<String> got = Fixtures.ids(Fixtures.readAll(reader));
      assertEquals("n0", got.get(got.size() - 1), "moves on to the next file: " + got);
      List<String> fromGz = got.subList(0, got.size() - 1);
      assertTrue(fromGz.size() >= 1 && fromGz.size() < 20, got.toString());
      assertEquals(ids.subList(0, fromGz.size()), fromGz);
      assertEquals(Map.of(RecordProblem.TRUNCATED, 1L), reader.skipped().counts());
    }
  }

  /**
   * A .gz file whose gzip header is corrupt (or cut inside it) cannot be read at all: under FAIL the
   * error names the file; under SKIP it counts as one bad record and reading goes on with the next file.
   */
  @Test
  void aCorruptGzipHeaderNamesTheFileAndIsSkipped() throws IOException {
    Path gz = dir.resolve("1-bad-header.tfrecord.gz");
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      Fixtures.writeTfRecord(out, Fixtures.goodVideo("g0", 3));
    }
    byte[] bytes = Files.readAllBytes(gz);
    bytes[0] = 0; // the gzip magic number
    Files.write(gz, bytes);
    Path short2 = dir.resolve("2-short-header.tfrecord.gz");
    Files.write(short2, new byte[] {0x1f, (byte) 0x8b, 8});
    Path next = Fixtures.writeTfRecord(dir.resolve("3-next.tfrecord"), Fixtures.goodVideo("n0", 1));
    for (Path bad : List.of(gz, short2)) {
      try (VideoReader reader = new VideoReader(DataPaths.resolve(List.of(bad.toString())), VIDEO,
          BadRecordPolicy.FAIL)) {
        BadRecordException e = assertThrows(BadRecordException.class, () -> Fixtures.readAll(reader));
        assertEquals(RecordProblem.UNREADABLE_FILE, e.problem(), e.getMessage());
        assertEquals(bad.toString(), e.file());
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
      }
    }
    List<InputFile> files = DataPaths.resolve(List.of(gz.toString(), short2.toString(), next.toString()));
    try (VideoReader reader = new VideoReader(files, VIDEO, BadRecordPolicy.SKIP)) {
      assertEquals(List.of("n0"), Fixtures.ids(Fixtures.readAll(reader)));
      assertEquals(Map.of(RecordProblem.UNREADABLE_FILE, 2L), reader.skipped().counts());
    }
  }

  @Test
  void skipCountsEveryKindOfProblemAcrossFiles() throws IOException {
    // file A: good, payload CRC bad, good, length broken, (good, lost)
    byte[][] a = {Fixtures.goodVideo("a0", 1), Fixtures.goodVideo("a1", 2), Fixtures.goodVideo("a2", 3),
        Fixtures.goodVideo("a3", 4), Fixtures.goodVideo("a4", 5)};
    Path fa = Fixtures.writeTfRecord(dir.resolve("a.tfrecord"), a);
    flip(fa, Fixtures.offsetOf(a, 1) + 12 + 50);
    flip(fa, Fixtures.offsetOf(a, 3) + 2);
    // file B: good, NaN, wrong type, good, cut in the last record
    byte[][] b = {Fixtures.goodVideo("b0", 6),
        example("id", bytesFeature("b1"), "labels", int64Feature(1), "mean_rgb", floatFeature(with(rgb(), 3, Float.NaN)),
            "mean_audio", floatFeature(audio())),
        example("id", floatFeature(2f), "labels", int64Feature(1), "mean_rgb", floatFeature(rgb()),
            "mean_audio", floatFeature(audio())),
        Fixtures.goodVideo("b3", 7), Fixtures.goodVideo("b4", 8)};
    Path fb = Fixtures.writeTfRecord(dir.resolve("b.tfrecord"), b);
    cut(fb, Fixtures.offsetOf(b, 4) + 20);
    // file C: good, then a partial header
    byte[][] c = {Fixtures.goodVideo("c0", 9), Fixtures.goodVideo("c1", 10)};
    Path fc = Fixtures.writeTfRecord(dir.resolve("c.tfrecord"), c);
    cut(fc, Fixtures.offsetOf(c, 1) + 11);
    // file D: fine
    Path fd = Fixtures.writeTfRecord(dir.resolve("d.tfrecord"), Fixtures.goodVideo("d0", 11));

    try (VideoReader reader = new VideoReader(DataPaths.resolve(List.of(dir.toString())), VIDEO,
        BadRecordPolicy.SKIP)) {
      assertEquals(List.of("a0", "a2", "b0", "b3", "c0", "d0"), Fixtures.ids(Fixtures.readAll(reader)));
      SkipReport s = reader.skipped();
      assertEquals(6, s.total());
      assertEquals(Map.of(RecordProblem.CORRUPT_DATA, 1L, RecordProblem.CORRUPT_LENGTH, 1L,
          RecordProblem.NON_FINITE, 1L, RecordProblem.WRONG_TYPE, 1L, RecordProblem.TRUNCATED, 2L), s.counts());
      assertEquals(6, s.examples().size());
      assertTrue(s.examples().get(0).contains(fa.toString()) && s.examples().get(0).contains("record 1"));
      assertTrue(s.examples().get(1).contains(fa.toString()) && s.examples().get(1).contains("record 3"));
      assertTrue(s.examples().get(2).contains(fb.toString()) && s.examples().get(2).contains("record 1"));
      assertTrue(s.examples().get(5).contains(fc.toString()) && s.examples().get(5).contains("record 1"));
      assertEquals(6, reader.records());
      // file A is read up to the broken header, the others to their end
      assertEquals(Fixtures.offsetOf(a, 3) + 12 + Files.size(fb) + Files.size(fc) + Files.size(fd),
          reader.bytesRead());
    }
  }

  @Test
  void skipReportsMerge() throws IOException {
    SkipReport x = new SkipReport();
    SkipReport y = new SkipReport();
    x.add(new BadRecordException("f", 1, 10, RecordProblem.NON_FINITE, "nan"));
    y.add(new BadRecordException("g", 2, 20, RecordProblem.NON_FINITE, "nan"));
    y.add(new BadRecordException("g", 3, 30, RecordProblem.TRUNCATED, "cut"));
    x.merge(y);
    assertEquals(3, x.total());
    assertEquals(Map.of(RecordProblem.NON_FINITE, 2L, RecordProblem.TRUNCATED, 1L), x.counts());
    assertEquals(List.of("f: record 1 at byte offset 10: nan", "g: record 2 at byte offset 20: nan",
        "g: record 3 at byte offset 30: cut"), x.examples());
    assertEquals("", new SkipReport().summary());
  }

  @Test
  void truncatedVideosAreCountedByTheReader() throws IOException {
    FeatureSpec spec = FRAME.withMaxFrames(2);
    Path file = Fixtures.writeTfRecord(dir.resolve("frames.tfrecord"),
        goodSequence("long", 1), // 3 frames
        sequence(context("short"), "rgb", frameList(2, 1024, 5), "audio", frameList(2, 128, 6)),
        goodSequence("long2", 2));
    try (VideoReader reader = new VideoReader(DataPaths.resolve(List.of(file.toString())), spec,
        BadRecordPolicy.FAIL)) {
      List<VideoRecord> got = Fixtures.readAll(reader);
      assertEquals(List.of(2, 2, 2), got.stream().map(VideoRecord::numFrames).toList());
      assertEquals(2, reader.truncatedVideos());
      assertEquals(3, reader.records());
    }
    try (VideoReader reader = new VideoReader(DataPaths.resolve(List.of(file.toString())), FRAME,
        BadRecordPolicy.FAIL)) {
      Fixtures.readAll(reader);
      assertEquals(0, reader.truncatedVideos());
    }
  }
}
