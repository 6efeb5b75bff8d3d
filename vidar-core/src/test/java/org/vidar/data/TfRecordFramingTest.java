package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TfRecordFramingTest {

  /** Bitwise CRC32C (Castagnoli, reflected polynomial 0x82F63B78), independent of java.util.zip. */
  static int referenceCrc32c(byte[] b, int off, int len) {
    int c = 0xffffffff;
    for (int i = off; i < off + len; i++) {
      c ^= b[i] & 0xff;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
      }
    }
    return ~c;
  }

  static int referenceMask(int crc) {
    long c = crc & 0xffffffffL;
    return (int) (((((c >>> 15) | (c << 17)) & 0xffffffffL) + 0xa282ead8L) & 0xffffffffL);
  }

  /** One TFRecord built by hand from the format's definition. */
  static byte[] referenceFrame(byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(payload.length);
    byte[] len = Arrays.copyOf(b.array(), 8);
    b.putInt(referenceMask(referenceCrc32c(len, 0, 8)));
    b.put(payload);
    b.putInt(referenceMask(referenceCrc32c(payload, 0, payload.length)));
    return b.array();
  }

  static byte[] payload(int size, long seed) {
    byte[] p = new byte[size];
    new SplittableRandom(seed).nextBytes(p);
    return p;
  }

  @Test
  void referenceCrcAgreesWithTheCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, referenceCrc32c(check, 0, check.length));
  }

  @Test
  void exactBytesOfASmallRecord() throws IOException {
    byte[] payload = "hello, world!".getBytes(StandardCharsets.US_ASCII); // 13 bytes
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      w.write(payload);
    }
    byte[] written = out.toByteArray();
    assertArrayEquals(referenceFrame(payload), written);
    // the same bytes worked out offline (Python, bitwise CRC32C): length 13 LE, its masked CRC,
    // the payload, the payload's masked CRC
    assertEquals("0d00000000000000" + "3c37b834" + "68656c6c6f2c20776f726c6421" + "f6874a1b",
        HexFormat.of().formatHex(written));
  }

  @Test
  void exactBytesOfAnEmptyRecord() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      w.write(new byte[0]);
    }
    assertEquals("0000000000000000" + "29039807" + "d8ea82a2", HexFormat.of().formatHex(out.toByteArray()));
  }

  @Test
  void roundTripOfSizes0To100000WithCountersAndOffsets() throws IOException {
    int[] sizes = {0, 1, 13, 100_000, 5};
    byte[][] payloads = new byte[sizes.length][];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    long[] offsets = new long[sizes.length];
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      long bytes = 0;
      for (int i = 0; i < sizes.length; i++) {
        payloads[i] = payload(sizes[i], i);
        offsets[i] = bytes;
        w.write(payloads[i]);
        expected.writeBytes(referenceFrame(payloads[i]));
        bytes += 16 + sizes[i];
        assertEquals(i + 1, w.records());
        assertEquals(bytes, w.bytes());
      }
    }
    byte[] file = out.toByteArray();
    assertArrayEquals(expected.toByteArray(), file);
    assertEquals(16L * sizes.length + Arrays.stream(sizes).sum(), file.length);

    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), "mem.tfrecord")) {
      assertEquals("mem.tfrecord", r.name());
      for (int i = 0; i < sizes.length; i++) {
        assertTrue(r.next(), "record " + i);
        assertEquals(sizes[i], r.length());
        assertArrayEquals(payloads[i], Arrays.copyOf(r.payload(), r.length()), "record " + i);
        assertEquals(i, r.recordIndex());
        assertEquals(offsets[i], r.recordOffset());
        assertEquals(offsets[i] + 16 + sizes[i], r.position());
      }
      assertFalse(r.next());
      assertFalse(r.next(), "stays at the end");
      assertEquals(file.length, r.position());
    }
  }

  @Test
  void writesASliceOfAnArray() throws IOException {
    byte[] big = payload(50, 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TfRecordWriter w = new TfRecordWriter(out)) {
      w.write(big, 10, 20);
      assertThrows(IndexOutOfBoundsException.class, () -> w.write(big, 40, 11));
      assertThrows(IndexOutOfBoundsException.class, () -> w.write(big, -1, 5));
      assertThrows(IndexOutOfBoundsException.class, () -> w.write(big, 0, -1));
      assertEquals(1, w.records());
      assertEquals(36, w.bytes());
    }
    assertArrayEquals(referenceFrame(Arrays.copyOfRange(big, 10, 30)), out.toByteArray());
  }

  @Test
  void readsRecordsWrittenByTheReferenceFraming() throws IOException {
    byte[] a = payload(7, 1);
    byte[] b = payload(70_000, 2); // larger than the reader's first buffer
    byte[] c = payload(3, 4);
    byte[] file = TfProtos.concat(referenceFrame(a), referenceFrame(b), referenceFrame(c));
    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), "x")) {
      for (byte[] p : new byte[][] {a, b, c}) {
        assertTrue(r.next());
        assertArrayEquals(p, Arrays.copyOf(r.payload(), r.length()));
      }
      assertFalse(r.next());
    }
  }

  @Test
  void emptyFileHasNoRecords() throws IOException {
    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(new byte[0]), "empty")) {
      assertFalse(r.next());
      assertEquals(0, r.position());
    }
  }

  @Test
  void payloadCrcMismatchLeavesFramingIntact() throws IOException {
    byte[] a = payload(10, 1);
    byte[] b = payload(20, 2);
    byte[] c = payload(30, 3);
    byte[] file = TfProtos.concat(referenceFrame(a), referenceFrame(b), referenceFrame(c));
    file[26 + 12 + 5] ^= 0x01; // one bit of b's payload
    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), "f.tfrecord")) {
      assertTrue(r.next());
      BadRecordException e = assertThrows(BadRecordException.class, r::next);
      assertEquals(RecordProblem.CORRUPT_DATA, e.problem());
      assertEquals(1, e.recordIndex());
      assertEquals(26, e.byteOffset());
      assertEquals("f.tfrecord", e.file());
      assertTrue(r.next(), "the next record is still readable");
      assertArrayEquals(c, Arrays.copyOf(r.payload(), r.length()));
      assertEquals(2, r.recordIndex());
      assertFalse(r.next());
    }
  }

  @Test
  void lengthCrcMismatchEndsTheFile() throws IOException {
    byte[] a = payload(10, 1);
    byte[] file = TfProtos.concat(referenceFrame(a), referenceFrame(a), referenceFrame(a));
    file[26] ^= 0x01; // low byte of record 1's length
    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), "f")) {
      assertTrue(r.next());
      BadRecordException e = assertThrows(BadRecordException.class, r::next);
      assertEquals(RecordProblem.CORRUPT_LENGTH, e.problem());
      assertEquals(1, e.recordIndex());
      assertEquals(26, e.byteOffset());
      assertFalse(r.next(), "nothing after a broken length can be located");
    }
  }

  @Test
  void absurdLengthWithValidCrcIsCorruptLength() throws IOException {
    for (long len : new long[] {1L << 40, -1L}) {
      byte[] header = new byte[12];
      LittleEndian.putLong(header, 0, len);
      LittleEndian.putInt(header, 8, referenceMask(referenceCrc32c(header, 0, 8)));
      try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(header), "f")) {
        BadRecordException e = assertThrows(BadRecordException.class, r::next);
        assertEquals(RecordProblem.CORRUPT_LENGTH, e.problem(), "length " + Long.toUnsignedString(len));
        assertEquals(0, e.recordIndex());
        assertEquals(0, e.byteOffset());
        assertFalse(r.next());
      }
    }
  }

  @Test
  void truncationInHeaderPayloadAndFooter() throws IOException {
    byte[] a = payload(10, 1);
    byte[] b = payload(40, 2);
    byte[] whole = TfProtos.concat(referenceFrame(a), referenceFrame(b));
    // record 1 starts at 26: cut inside its header, its payload and its payload CRC
    for (int cut : new int[] {26 + 1, 26 + 11, 26 + 12, 26 + 12 + 39, 26 + 12 + 40, 26 + 12 + 40 + 3}) {
      byte[] file = Arrays.copyOf(whole, cut);
      try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), "f")) {
        assertTrue(r.next());
        BadRecordException e = assertThrows(BadRecordException.class, r::next, "cut at " + cut);
        assertEquals(RecordProblem.TRUNCATED, e.problem(), "cut at " + cut);
        assertEquals(1, e.recordIndex());
        assertEquals(26, e.byteOffset());
        assertFalse(r.next());
      }
    }
  }

  /**
   * A header that claims a huge record (with a valid length checksum) in a short file is found
   * truncated without allocating what it claims: the buffer grows only with the bytes that are there.
   */
  @Test
  void aHeaderClaimingAHugeRecordAllocatesOnlyWhatTheFileHolds() throws Exception {
    byte[] file = new byte[12 + 100];
    long claimed = (1L << 30) - 1;
    for (int i = 0; i < 8; i++) {
      file[i] = (byte) (claimed >>> (8 * i));
    }
    int crc = MaskedCrc32c.of(file, 0, 8);
    for (int i = 0; i < 4; i++) {
      file[8 + i] = (byte) (crc >>> (8 * i));
    }
    TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file), "huge.tfrecord");
    BadRecordException e = assertThrows(BadRecordException.class, r::next);
    assertEquals(RecordProblem.TRUNCATED, e.problem());
    assertTrue(e.getMessage().contains("huge.tfrecord") && e.getMessage().contains("100 of " + claimed),
        e.getMessage());
    assertTrue(r.payload().length <= 64 * 1024, "buffer " + r.payload().length + " bytes");
  }
}
