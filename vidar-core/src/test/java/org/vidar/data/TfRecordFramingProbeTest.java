package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.ProbeTally;

/**
 * The probe of TFRecord framing (issue 12): files of video- and frame-level records cut at every
 * offset, and damaged at random (lengths and checksums flipped or rewritten with a matching CRC,
 * huge claimed lengths, bytes inserted, deleted or appended, records duplicated, payloads changed
 * under a recomputed CRC). Each file is read by {@link VideoReader} under both policies and compared
 * with {@link FramingOracle}: the same videos, the same bad records (file, record, offset, problem),
 * never fewer videos without a report, and no more memory than the bytes present call for.
 */
class TfRecordFramingProbeTest {
  private static final int RANDOM_CASES = ProbeTally.cases(2_500);

  @TempDir
  Path dir;

  /** A file of good records and the videos in it. */
  private record Base(FeatureSpec spec, byte[] bytes, int[] offsets, List<VideoRecord> videos) {}

  private static Base base(SplittableRandom r, int records) throws IOException {
    FeatureSpec spec = r.nextBoolean() ? RecordDecoderFuzzTest.SMALL_VIDEO : RecordDecoderFuzzTest.SMALL_FRAME;
    RecordCodec codec = RecordCodec.forSpec(spec);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int[] offsets = new int[records + 1];
    List<VideoRecord> videos = new ArrayList<>();
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      for (int i = 0; i < records; i++) {
        offsets[i] = out.size();
        VideoRecord v = RecordDecoderFuzzTest.randomVideo(spec, i, r);
        videos.add(v);
        w.write(codec.encode(v));
        w.flush();
      }
    }
    offsets[records] = out.size();
    return new Base(spec, out.toByteArray(), offsets, videos);
  }

  private static void putLength(byte[] b, int at, long length) {
    LittleEndian.putLong(b, at, length);
    LittleEndian.putInt(b, at + 8, FramingOracle.maskedCrc(b, at, 8));
  }

  private static final long[] LENGTHS = {0, 1, 7, 1L << 20, (1L << 30) - 1, 1L << 30, (1L << 30) + 1, 1L << 31,
      Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, -1, Long.MIN_VALUE};

  /** One random damage of a file; {@code what} says which. */
  private static byte[] damage(Base base, SplittableRandom r, StringBuilder what, boolean bytesOnly) {
    byte[] b = base.bytes().clone();
    int records = base.videos().size();
    int n = b.length;
    int rec = records == 0 ? 0 : r.nextInt(records);
    int off = records == 0 ? 0 : base.offsets()[rec];
    int len = records == 0 ? 0 : base.offsets()[rec + 1] - off - 16;
    // a second damage does not know where the records are any more: it appends, inserts or deletes
    int[] blind = {7, 8, 10, 11};
    int kind = bytesOnly ? blind[r.nextInt(blind.length)] : records == 0 ? 7 + r.nextInt(3) : r.nextInt(12);
    what.append("record ").append(rec).append(": ");
    switch (kind) {
      case 0 -> {
        int at = off + r.nextInt(8);
        b[at] ^= (byte) (1 << r.nextInt(8));
        what.append("length bit flipped at ").append(at);
      }
      case 1 -> {
        int at = off + 8 + r.nextInt(4);
        b[at] ^= (byte) (1 << r.nextInt(8));
        what.append("length CRC bit flipped at ").append(at);
      }
      case 2 -> {
        int at = off + 12 + r.nextInt(Math.max(1, len));
        b[at] ^= (byte) (1 << r.nextInt(8));
        what.append("payload bit flipped at ").append(at);
      }
      case 3 -> {
        int at = off + 12 + len + r.nextInt(4);
        b[at] ^= (byte) (1 << r.nextInt(8));
        what.append("payload CRC bit flipped at ").append(at);
      }
      case 4 -> {
        long l = r.nextBoolean() ? LENGTHS[r.nextInt(LENGTHS.length)] : len + r.nextInt(-20, 21);
        putLength(b, off, l);
        what.append("length ").append(l).append(" with a matching CRC");
      }
      case 5 -> {
        // a length that swallows or falls short of the next header, with both CRCs made to match: the
        // payload is then whatever bytes it covers, for the decoder to judge
        long l = Math.max(0, len + r.nextInt(-6, 30));
        if (off + 16 + l > n) {
          l = n - off - 16;
        }
        putLength(b, off, l);
        LittleEndian.putInt(b, off + 12 + (int) l, FramingOracle.maskedCrc(b, off + 12, (int) l));
        what.append("length ").append(l).append(" and both CRCs made to match");
      }
      case 6 -> {
        int at = off + 12 + r.nextInt(Math.max(1, len));
        b[at] = (byte) r.nextInt(256);
        LittleEndian.putInt(b, off + 12 + len, FramingOracle.maskedCrc(b, off + 12, len));
        what.append("payload byte ").append(at).append(" changed under a recomputed CRC");
      }
      case 7 -> {
        // a header that claims a huge record (valid CRC), then a few bytes: bounded allocation
        byte[] tail = new byte[12 + r.nextInt(100)];
        r.nextBytes(tail);
        long l = LENGTHS[r.nextInt(LENGTHS.length)];
        putLength(tail, 0, l);
        what.append("appended a header claiming ").append(l).append(" bytes, then ").append(tail.length - 12);
        return TfProtos.concat(b, tail);
      }
      case 8 -> {
        byte[] junk = new byte[1 + r.nextInt(r.nextBoolean() ? 11 : 40)];
        r.nextBytes(junk);
        what.append(junk.length).append(" junk bytes appended");
        return TfProtos.concat(b, junk);
      }
      case 9 -> {
        // an empty record, legal framing: the decoder finds no id
        byte[] empty = new byte[16];
        putLength(empty, 0, 0);
        LittleEndian.putInt(empty, 12, FramingOracle.maskedCrc(empty, 12, 0));
        int at = base.offsets()[r.nextInt(records + 1)];
        what.append("an empty record inserted at ").append(at);
        return TfProtos.concat(Arrays.copyOf(b, at), empty, Arrays.copyOfRange(b, at, n));
      }
      case 10 -> {
        return TfProtos.insertRandomBytes(b, r, 16, what);
      }
      default -> {
        int at = r.nextInt(n);
        int k = Math.min(n - at, 1 + r.nextInt(r.nextBoolean() ? 4 : 40));
        if (bytesOnly || r.nextBoolean()) {
          what.append(k).append(" bytes deleted at ").append(at);
          return TfProtos.concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + k, n));
        }
        // a whole record duplicated: legal, the video twice
        byte[] one = Arrays.copyOfRange(b, off, off + len + 16);
        what.append("record duplicated");
        return TfProtos.concat(Arrays.copyOf(b, off), one, Arrays.copyOfRange(b, off, n));
      }
    }
    return b;
  }

  private void probe(ProbeTally tally, String description, byte[] bytes, FeatureSpec spec, Set<RecordProblem> seen)
      throws IOException {
    Path f = Files.write(dir.resolve("case.tfrecord"), bytes);
    InputFile file = DataPaths.resolve(List.of(f.toString())).get(0);
    List<FramingOracle.Event> expected = FramingOracle.read(bytes, spec);
    expected.stream().filter(FramingOracle.Event::bad).forEach(e -> seen.add(e.problem()));
    tally.run(description, () -> FramingOracle.check(file, spec, expected, null));
  }

  @Test
  void everyCutAndDamageIsReadAsTheFormatSaysOrNamed() throws IOException {
    ProbeTally tally = new ProbeTally("TFRecord framing", Duration.ofSeconds(20));
    SplittableRandom r = new SplittableRandom(ProbeTally.SEED);
    Set<RecordProblem> seen = EnumSet.noneOf(RecordProblem.class);
    // every cut of a file of three records, at each level
    for (int level = 0; level < 2; level++) {
      Base b;
      do {
        b = base(r, 3);
      } while ((b.spec().level() == FeatureSpec.Level.VIDEO) != (level == 0));
      for (int cut = 0; cut <= b.bytes().length; cut++) {
        probe(tally, b.spec().level() + " file cut to " + cut + " of " + b.bytes().length + " bytes",
            Arrays.copyOf(b.bytes(), cut), b.spec(), seen);
      }
    }
    for (int c = 0; c < RANDOM_CASES; c++) {
      Base b = base(r, r.nextInt(6));
      StringBuilder what = new StringBuilder(b.spec().level() + " case " + c + ", ");
      byte[] bad = damage(b, r, what, false);
      if (r.nextInt(4) == 0 && bad.length > 0) {
        what.append("; then ");
        bad = damage(new Base(b.spec(), bad, b.offsets(), b.videos()), r, what, true);
      }
      probe(tally, what.toString(), bad, b.spec(), seen);
    }
    tally.assertClean();
    // the cases reach every framing problem, and good files too
    assertTrue(seen.containsAll(EnumSet.of(RecordProblem.TRUNCATED, RecordProblem.CORRUPT_LENGTH,
        RecordProblem.CORRUPT_DATA, RecordProblem.MISSING_KEY, RecordProblem.MALFORMED)), seen::toString);
    assertTrue(tally.count(ProbeTally.Outcome.ACCEPTED) > 100, tally::row);
  }
}
