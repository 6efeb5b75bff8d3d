package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/** Gzip files of several members, and what may not follow a member. */
class GzipMembersInputStreamTest {
  private static final byte[] A = Fixtures.bytes(3000, 1);
  private static final byte[] B = Fixtures.bytes(2000, 2);

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  /** A stream as a remote file system may give it: a few bytes a read, and never any "available". */
  private static InputStream trickle(byte[] b) {
    return new FilterInputStream(new ByteArrayInputStream(b)) {
      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        return super.read(buf, off, Math.min(len, 7));
      }

      @Override
      public int available() {
        return 0;
      }
    };
  }

  private static byte[] readAll(byte[] gz) throws IOException {
    try (InputStream in = new GzipMembersInputStream(trickle(gz), 16)) {
      return in.readAllBytes();
    }
  }

  /**
   * Every member is read, however the stream delivers its bytes. The JDK's GZIPInputStream looks for
   * a next member only when the stream reports bytes available or its buffer holds more than 26: on
   * this stream it ends after the first member, without a word.
   */
  @Test
  void readsEveryMember() throws IOException {
    byte[] two = TfProtos.concat(gzip(A), gzip(B));
    assertArrayEquals(TfProtos.concat(A, B), readAll(two));
    try (InputStream jdk = new java.util.zip.GZIPInputStream(trickle(two), 16)) {
      assertTrue(jdk.readAllBytes().length < A.length + B.length, "the JDK's reader stops after the first member");
    }
    // optional header fields, an empty member
    SplittableRandom r = new SplittableRandom(3);
    byte[] many = TfProtos.concat(GzipProbeTest.member(A, r), GzipProbeTest.member(new byte[0], r),
        GzipProbeTest.member(B, r), GzipProbeTest.member(A, r));
    assertArrayEquals(TfProtos.concat(A, B, A), readAll(many));
  }

  /**
   * Bytes after a member must be a whole member: a second member cut inside its header, a damaged
   * one or junk are errors (the JDK's reader ignores them, and with them the records they hold).
   */
  @Test
  void whatFollowsAMemberIsAMemberOrAnError() throws IOException {
    byte[] first = gzip(A);
    byte[] second = gzip(B);
    EOFException cut = assertThrows(EOFException.class, () -> readAll(TfProtos.concat(first, Arrays.copyOf(second, 5))));
    assertTrue(cut.getMessage().contains("the file ends inside the header of gzip member 1"), cut.getMessage());
    byte[] bent = second.clone();
    bent[0] = 0x1e;
    ZipException magic = assertThrows(ZipException.class, () -> readAll(TfProtos.concat(first, bent)));
    assertTrue(magic.getMessage().contains("the bytes after gzip member 0, from byte " + first.length
        + ", are not a gzip member: no gzip magic number"), magic.getMessage());
    ZipException zeros = assertThrows(ZipException.class, () -> readAll(TfProtos.concat(first, new byte[4])));
    assertTrue(zeros.getMessage().contains("are not a gzip member"), zeros.getMessage());
    try (InputStream jdk = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(TfProtos.concat(first, bent)))) {
      assertArrayEquals(A, jdk.readAllBytes(), "the JDK's reader ignores the damaged member");
    }
  }

  @Test
  void everyCheckOfTheFormatIsMade() throws IOException {
    byte[] gz = gzip(A);
    byte[] reserved = gz.clone();
    reserved[3] = (byte) 0x20;
    assertTrue(assertThrows(ZipException.class, () -> readAll(reserved)).getMessage().contains("reserved header flags"));
    byte[] method = gz.clone();
    method[2] = 7;
    assertTrue(assertThrows(ZipException.class, () -> readAll(method)).getMessage().contains("compression method 7"));
    byte[] crc = gz.clone();
    crc[gz.length - 8] ^= 1;
    assertTrue(assertThrows(ZipException.class, () -> readAll(crc)).getMessage().contains("CRC32 mismatch"));
    byte[] size = gz.clone();
    size[gz.length - 4] ^= 1;
    assertTrue(assertThrows(ZipException.class, () -> readAll(size)).getMessage().contains("size"));
    byte[] data = gz.clone();
    data[20] ^= 0x55;
    assertThrows(ZipException.class, () -> readAll(data));
    assertTrue(assertThrows(EOFException.class, () -> readAll(Arrays.copyOf(gz, gz.length / 2))).getMessage()
        .contains("the file ends inside the compressed data of gzip member 0"));
    assertTrue(assertThrows(EOFException.class, () -> readAll(Arrays.copyOf(gz, gz.length - 3))).getMessage()
        .contains("the file ends inside the trailer of gzip member 0"));
    assertThrows(EOFException.class, () -> readAll(new byte[0]));
    // the header CRC (FHCRC) is checked
    SplittableRandom r = new SplittableRandom(4);
    byte[] withCrc;
    do {
      withCrc = GzipProbeTest.member(A, r);
    } while ((withCrc[3] & 2) == 0);
    assertArrayEquals(A, readAll(withCrc));
    byte[] badHeader = withCrc.clone();
    badHeader[5] ^= 1;
    assertTrue(assertThrows(ZipException.class, () -> readAll(badHeader)).getMessage().contains("header CRC mismatch"));
  }
}
