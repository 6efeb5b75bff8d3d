package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.ProbeTally;

/**
 * The probe of gzip-compressed TFRecord files (issue 12): files of one or several gzip members (some
 * with the optional header fields: extra, name, comment, header CRC) cut at every offset and damaged
 * at random in their headers, deflate data and trailers, or followed by junk, zeros, a partial or a
 * damaged member. The oracle is a second reading of the same bytes by commons-compress (concatenated
 * members, strict about what follows them), then {@link FramingOracle}: where it reads the file,
 * {@link VideoReader} must read the same videos; where it finds the compressed stream damaged, the
 * reader must name the file (and stop) or, under --skip-bad-records, report the rest of the file as
 * lost, having returned only the file's own videos in order. Never fewer videos without a word.
 */
class GzipProbeTest {
  private static final int RANDOM_CASES = ProbeTally.cases(1_500);

  @TempDir
  Path dir;

  /** The TFRecord bytes of a few videos, and the videos as a reader returns them (frames beyond the spec's cut). */
  private record Plain(FeatureSpec spec, byte[] bytes, int[] offsets, List<VideoRecord> videos) {}

  private static Plain plain(SplittableRandom r) throws IOException {
    FeatureSpec spec = r.nextBoolean() ? RecordDecoderFuzzTest.SMALL_VIDEO : RecordDecoderFuzzTest.SMALL_FRAME;
    RecordCodec codec = RecordCodec.forSpec(spec);
    int records = 1 + r.nextInt(5);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int[] offsets = new int[records + 1];
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      for (int i = 0; i < records; i++) {
        offsets[i] = out.size();
        w.write(codec.encode(RecordDecoderFuzzTest.randomVideo(spec, i, r)));
        w.flush();
      }
    }
    offsets[records] = out.size();
    byte[] bytes = out.toByteArray();
    List<VideoRecord> videos = FramingOracle.read(bytes, spec).stream().map(FramingOracle.Event::video).toList();
    return new Plain(spec, bytes, offsets, videos);
  }

  /** One gzip member of {@code data} (RFC 1952), with optional header fields chosen by {@code r}. */
  static byte[] member(byte[] data, SplittableRandom r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean extra = r.nextInt(4) == 0;
    boolean name = r.nextInt(3) == 0;
    boolean comment = r.nextInt(5) == 0;
    boolean headerCrc = r.nextInt(4) == 0;
    int flags = (extra ? 4 : 0) | (name ? 8 : 0) | (comment ? 16 : 0) | (headerCrc ? 2 : 0);
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
    if (extra) {
      // subfields as RFC 1952 lays them out: two id bytes, a length, the data
      ByteArrayOutputStream x = new ByteArrayOutputStream();
      for (int k = r.nextInt(3); k > 0; k--) {
        byte[] field = new byte[r.nextInt(9)];
        r.nextBytes(field);
        x.writeBytes(new byte[] {'V', (byte) ('a' + k), (byte) field.length, 0});
        x.writeBytes(field);
      }
      out.write(x.size());
      out.write(x.size() >>> 8);
      out.writeBytes(x.toByteArray());
    }
    if (name) {
      out.writeBytes("train-0001.tfrecord".getBytes(StandardCharsets.ISO_8859_1));
      out.write(0);
    }
    if (comment) {
      out.writeBytes("a comment".getBytes(StandardCharsets.ISO_8859_1));
      out.write(0);
    }
    if (headerCrc) {
      CRC32 c = new CRC32();
      byte[] h = out.toByteArray();
      c.update(h);
      out.write((int) c.getValue());
      out.write((int) c.getValue() >>> 8);
    }
    Deflater d = new Deflater(r.nextInt(10), true);
    d.setInput(data);
    d.finish();
    byte[] buf = new byte[4096];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    int[] trailer = {(int) crc.getValue(), data.length};
    for (int v : trailer) {
      for (int i = 0; i < 4; i++) {
        out.write(v >>> (8 * i));
      }
    }
    return out.toByteArray();
  }

  /** The file: one member, or several cut at record boundaries or anywhere. */
  private static byte[] gzip(Plain p, SplittableRandom r) {
    int members = r.nextInt(3) == 0 ? 2 + r.nextInt(3) : 1;
    int[] cuts = new int[members + 1];
    cuts[members] = p.bytes().length;
    for (int i = 1; i < members; i++) {
      cuts[i] = r.nextBoolean() ? p.offsets()[r.nextInt(p.offsets().length)] : r.nextInt(p.bytes().length + 1);
    }
    Arrays.sort(cuts);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < members; i++) {
      out.writeBytes(member(Arrays.copyOfRange(p.bytes(), cuts[i], cuts[i + 1]), r));
    }
    return out.toByteArray();
  }

  private static final byte[] INTERESTING = {0, 1, 2, 4, 8, 16, 0x1f, (byte) 0x8b, (byte) 0xe0, (byte) 0xff, 0x7f};

  /**
   * One random damage of {@code gz}; {@code what} says which. A member appended whole or in part holds
   * the file's first record again: {@code appended} gets those bytes, which a reader may read too.
   */
  private static byte[] damage(byte[] gz, Plain p, SplittableRandom r, StringBuilder what,
      ByteArrayOutputStream appended) {
    byte[] b = gz.clone();
    int n = b.length;
    switch (r.nextInt(9)) {
      case 0 -> {
        int at = r.nextInt(Math.min(n, 12));
        b[at] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
        what.append("header byte ").append(at).append(" set to ").append(b[at] & 0xff);
      }
      case 1 -> {
        b[3] |= (byte) (1 << r.nextInt(8));
        what.append("flags set to ").append(b[3] & 0xff);
      }
      case 2 -> {
        int at = 10 + r.nextInt(Math.max(1, n - 18));
        b[at] ^= (byte) (1 << r.nextInt(8));
        what.append("deflate data bit flipped at ").append(at);
      }
      case 3 -> {
        int at = n - 1 - r.nextInt(8);
        b[at] ^= (byte) (1 << r.nextInt(8));
        what.append("trailer bit flipped at ").append(at);
      }
      case 4 -> {
        int at = r.nextInt(n);
        what.append("cut to ").append(at).append(" bytes");
        return Arrays.copyOf(b, at);
      }
      case 5 -> {
        byte[] tail = switch (r.nextInt(5)) {
          case 0 -> new byte[1 + r.nextInt(30)];
          case 1 -> {
            byte[] j = new byte[1 + r.nextInt(30)];
            r.nextBytes(j);
            yield j;
          }
          case 2 -> Arrays.copyOf(member(Arrays.copyOf(p.bytes(), p.offsets()[1]), r), 1 + r.nextInt(20));
          case 3 -> {
            appended.writeBytes(Arrays.copyOf(p.bytes(), p.offsets()[1]));
            byte[] m = member(Arrays.copyOf(p.bytes(), p.offsets()[1]), r);
            m[r.nextInt(10)] ^= (byte) (1 << r.nextInt(8));
            yield m;
          }
          default -> {
            appended.writeBytes(Arrays.copyOf(p.bytes(), p.offsets()[1]));
            byte[] m = member(Arrays.copyOf(p.bytes(), p.offsets()[1]), r);
            yield Arrays.copyOf(m, r.nextInt(m.length));
          }
        };
        what.append(tail.length).append(" bytes appended: ").append(java.util.HexFormat.of().formatHex(tail, 0,
            Math.min(tail.length, 12)));
        return TfProtos.concat(b, tail);
      }
      case 6 -> {
        return TfProtos.insertRandomBytes(b, r, 8, what);
      }
      case 7 -> {
        int at = r.nextInt(n);
        int k = Math.min(n - at, 1 + r.nextInt(8));
        what.append(k).append(" bytes deleted at ").append(at);
        return TfProtos.concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + k, n));
      }
      default -> {
        int at = r.nextInt(n);
        b[at] = (byte) r.nextInt(256);
        what.append("byte ").append(at).append(" set to ").append(b[at] & 0xff);
      }
    }
    return b;
  }

  /** commons-compress's reading of the bytes, or why it finds them damaged. */
  private record Reading(byte[] plain, String error) {}

  private static Reading read(byte[] gz) {
    try (GzipCompressorInputStream in = GzipCompressorInputStream.builder()
        .setInputStream(new ByteArrayInputStream(gz)).setDecompressConcatenated(true).get()) {
      return new Reading(in.readAllBytes(), null);
    } catch (IOException | RuntimeException e) {
      return new Reading(null, String.valueOf(e.getMessage()));
    }
  }

  private static byte[] oracle(byte[] gz) {
    return read(gz).plain();
  }

  private int refusedThoughReadable;

  /**
   * Probes one file of {@code p}'s records, then {@code appended} bytes, compressed: the videos a
   * damaged file may give are theirs, in order.
   */
  private void probe(ProbeTally tally, String description, byte[] gz, Plain p, byte[] appended) throws IOException {
    Path f = Files.write(dir.resolve("case.tfrecord.gz"), gz);
    InputFile file = DataPaths.resolve(List.of(f.toString())).get(0);
    Reading reading = read(gz);
    byte[] plain = reading.plain();
    List<FramingOracle.Event> expected = plain == null ? null : FramingOracle.read(plain, p.spec());
    List<VideoRecord> originals = new ArrayList<>(p.videos());
    FramingOracle.read(appended, p.spec()).forEach(e -> originals.add(e.video()));
    // commons-compress reads a header's extra field (FEXTRA) as RFC 1952's subfields and refuses
    // other contents; a reader that skips the field, as the JDK's and Vidar's do, may then read
    // every video (the CRCs vouch for them), or find the damage the field's new length caused
    boolean extraField = plain == null && reading.error().toLowerCase(java.util.Locale.ROOT).contains("extra subfield");
    List<FramingOracle.Event> whole = FramingOracle.read(TfProtos.concat(p.bytes(), appended), p.spec());
    tally.run(description, () -> {
      if (extraField) {
        ProbeTally.Verdict all = FramingOracle.check(file, p.spec(), whole, originals);
        return all.outcome() == ProbeTally.Outcome.ACCEPTED ? all : FramingOracle.check(file, p.spec(), null, originals);
      }
      ProbeTally.Verdict v = FramingOracle.check(file, p.spec(), expected, originals);
      if (v.outcome() == ProbeTally.Outcome.SILENT_WRONG && expected != null) {
        // commons-compress does not check a header's CRC (FHCRC); the JDK's reader and Vidar's do. A
        // file whose header CRC is wrong must then be read as damaged, and the error say so.
        ProbeTally.Verdict strict = FramingOracle.check(file, p.spec(), null, originals, "header CRC mismatch");
        if (strict.outcome() == ProbeTally.Outcome.NAMED_ERROR) {
          refusedThoughReadable++;
          return strict;
        }
      }
      return v;
    });
  }

  @Test
  void damagedGzipIsReadAsASecondReadingSaysOrNamedAsLosingTheRestOfTheFile() throws IOException {
    ProbeTally tally = new ProbeTally("gzip-compressed files", Duration.ofSeconds(20));
    SplittableRandom r = new SplittableRandom(ProbeTally.SEED + 1);
    Plain small = plain(r);
    byte[] whole = gzip(small, r);
    for (int cut = 0; cut < whole.length; cut++) {
      probe(tally, "cut to " + cut + " of " + whole.length + " bytes", Arrays.copyOf(whole, cut), small, new byte[0]);
    }
    int damaged = 0;
    for (int c = 0; c < RANDOM_CASES; c++) {
      Plain p = plain(r);
      byte[] gz = gzip(p, r);
      StringBuilder what = new StringBuilder("case " + c + ": ");
      ByteArrayOutputStream appended = new ByteArrayOutputStream();
      if (r.nextInt(8) != 0) {
        gz = damage(gz, p, r, what, appended);
      } else {
        what.append("sound");
      }
      damaged += oracle(gz) == null ? 1 : 0;
      probe(tally, what.toString(), gz, p, appended.toByteArray());
    }
    System.out.println("gzip probe: " + damaged + " of " + RANDOM_CASES + " random cases damaged for commons-compress; "
        + refusedThoughReadable + " files it reads were refused by name for their header CRC");
    tally.assertClean();
    assertTrue(damaged > RANDOM_CASES / 4 && tally.count(ProbeTally.Outcome.ACCEPTED) > RANDOM_CASES / 10, tally::row);
  }
}
