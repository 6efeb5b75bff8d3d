package org.vidar.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.vidar.ProbeTally;
import org.vidar.ProbeTally.Verdict;

/**
 * An independent reading of TFRecord bytes for the probes: the videos and bad records a reader must
 * report, from the format's definition (length, masked CRC32C of the length, payload, masked CRC32C
 * of the payload), the JDK's {@link CRC32C} and protobuf's parser ({@link ProtobufOracle}), not from
 * {@link TfRecordReader} or the codecs. {@link #check} then reads a file with {@link VideoReader}
 * under both policies and says whether it read what the oracle reads.
 */
final class FramingOracle {
  private FramingOracle() {}

  /** What the oracle finds at one record: a video, or a problem (which may lose the rest of the file). */
  record Event(long index, long offset, VideoRecord video, RecordProblem problem) {
    boolean bad() {
      return problem != null;
    }
  }

  /** TFRecord's mask of a CRC32C: rotate right by 15 bits and add a constant. */
  static int maskedCrc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    int crc = (int) c.getValue();
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  private static long le64(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  private static int le32(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
  }

  /** The records of {@code file} as a reader of {@code spec} (labels required) must see them. */
  static List<Event> read(byte[] file, FeatureSpec spec) {
    List<Event> events = new ArrayList<>();
    int pos = 0;
    for (long index = 0; pos < file.length; index++) {
      int left = file.length - pos;
      if (left < 12) {
        events.add(new Event(index, pos, null, RecordProblem.TRUNCATED));
        break;
      }
      long length = le64(file, pos);
      if (maskedCrc(file, pos, 8) != le32(file, pos + 8)
          || length < 0 || length > TfRecordReader.MAX_RECORD_BYTES) {
        events.add(new Event(index, pos, null, RecordProblem.CORRUPT_LENGTH));
        break;
      }
      if (left - 12 < length + 4) {
        events.add(new Event(index, pos, null, RecordProblem.TRUNCATED));
        break;
      }
      int start = pos + 12;
      int end = start + (int) length;
      if (maskedCrc(file, start, (int) length) != le32(file, end)) {
        events.add(new Event(index, pos, null, RecordProblem.CORRUPT_DATA));
      } else {
        ProtobufOracle.Verdict v = ProtobufOracle.verdict(spec, LabelPolicy.REQUIRED,
            Arrays.copyOfRange(file, start, end), false);
        events.add(new Event(index, pos, v.record(), v.problem()));
      }
      pos = end + 4;
    }
    return events;
  }

  /** Bytes a reader may allocate for a file of {@code bytes}: buffers and decoded floats, never what a header claims. */
  static long allocationBound(long bytes) {
    return 8 * (1L << 20) + 16 * bytes;
  }

  /**
   * Reads {@code file} with a {@link VideoReader} of {@code spec} under both policies and compares
   * with {@code expected}. With {@code expected} null the file's compressed stream is damaged (a
   * second reading of it failed): the reader must then return the videos of {@code originals} in
   * order (records the damage corrupted are bad records of their own), and name the damage (FAIL,
   * with {@code damageNamed} in the message) or report it as losing the rest of the file (SKIP).
   */
  static Verdict check(InputFile file, FeatureSpec spec, List<Event> expected, List<VideoRecord> originals,
      String... damageNamed) throws IOException {
    List<InputFile> files = List.of(file);
    // SKIP: every video the oracle finds, and every bad record counted by its problem
    List<VideoRecord> got = new ArrayList<>();
    SkipReport report;
    long before = ProbeTally.allocatedBytes();
    try (VideoReader reader = new VideoReader(files, spec, BadRecordPolicy.SKIP)) {
      for (VideoRecord v = reader.next(); v != null; v = reader.next()) {
        got.add(v);
      }
      report = reader.skipped();
    } catch (BadRecordException e) {
      return Verdict.wrong("under --skip-bad-records the reader threw " + e.getMessage());
    }
    long allocated = ProbeTally.allocatedBytes() - before;
    if (allocated > allocationBound(file.length())) {
      return Verdict.crash("reading " + file.length() + " bytes allocated " + allocated + " bytes");
    }
    boolean damaged = expected == null;
    if (damaged) {
      if (!isSubsequence(got, originals)) {
        return Verdict.wrong("videos not read in order from the original ones: " + got.size() + " read");
      }
      if (report.counts().keySet().stream().noneMatch(RecordProblem::losesRestOfFile)) {
        return Verdict.wrong("a damaged compressed file read with no record lost reported: " + got.size() + " of "
            + originals.size() + " videos, report " + report.counts());
      }
    } else {
      List<VideoRecord> want = new ArrayList<>();
      Map<RecordProblem, Long> problems = new EnumMap<>(RecordProblem.class);
      for (Event e : expected) {
        if (e.bad()) {
          problems.merge(e.problem(), 1L, Long::sum);
        } else {
          want.add(e.video());
        }
      }
      if (!got.equals(want)) {
        return Verdict.wrong("under --skip-bad-records read " + got.size() + " videos, the oracle " + want.size()
            + (got.size() == want.size() ? " (different ones)" : ""));
      }
      if (!report.counts().equals(problems)) {
        return Verdict.wrong("skip report " + report.counts() + ", the oracle finds " + problems);
      }
    }
    // FAIL: the videos before the first bad record, then an error at it that names the file and the record
    Event firstBad = damaged ? null : expected.stream().filter(Event::bad).findFirst().orElse(null);
    List<VideoRecord> read = new ArrayList<>();
    try (VideoReader reader = new VideoReader(files, spec, BadRecordPolicy.FAIL)) {
      for (VideoRecord v = reader.next(); v != null; v = reader.next()) {
        read.add(v);
      }
    } catch (BadRecordException e) {
      if (damaged) {
        if (!isPrefix(read, originals)) {
          return Verdict.wrong("videos before the error not the original ones");
        }
        String[] names = java.util.stream.Stream.concat(java.util.stream.Stream.of(file.name(), "record "
            + e.recordIndex()), java.util.Arrays.stream(damageNamed)).toArray(String[]::new);
        return ProbeTally.named(e, names);
      }
      if (firstBad == null || e.recordIndex() != firstBad.index() || e.byteOffset() != firstBad.offset()
          || e.problem() != firstBad.problem()) {
        return Verdict.wrong("the error " + e.getMessage() + " where the oracle finds " + firstBad);
      }
      if (!read.equals(got.subList(0, Math.min(got.size(), read.size()))) || read.size() != videosBefore(expected)) {
        return Verdict.wrong("read " + read.size() + " videos before the error, the oracle " + videosBefore(expected));
      }
      return ProbeTally.named(e, file.name(), "record " + firstBad.index() + " at byte offset " + firstBad.offset());
    }
    if (damaged || firstBad != null) {
      return Verdict.wrong("read to the end with no error, where the oracle finds "
          + (damaged ? "a damaged stream" : firstBad.toString()));
    }
    return read.equals(got) ? Verdict.accepted() : Verdict.wrong("the two policies read different videos");
  }

  private static int videosBefore(List<Event> expected) {
    int n = 0;
    for (Event e : expected) {
      if (e.bad()) {
        break;
      }
      n++;
    }
    return n;
  }

  private static boolean isSubsequence(List<VideoRecord> got, List<VideoRecord> all) {
    int i = 0;
    for (VideoRecord v : got) {
      while (i < all.size() && !all.get(i).equals(v)) {
        i++;
      }
      if (i++ == all.size()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPrefix(List<VideoRecord> got, List<VideoRecord> all) {
    return got.size() <= all.size() && got.equals(all.subList(0, got.size()));
  }
}
