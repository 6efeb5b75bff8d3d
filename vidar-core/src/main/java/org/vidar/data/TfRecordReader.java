package org.vidar.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams the records of one TFRecord file, verifying both checksums of every record. Memory is one
 * reusable payload buffer, as large as the largest record seen (at most twice the bytes a record
 * actually holds, whatever its header claims).
 *
 * <p>After a {@link RecordProblem#CORRUPT_DATA} error the framing is intact and {@link #next()} may
 * go on with the following record; after {@link RecordProblem#CORRUPT_LENGTH} or
 * {@link RecordProblem#TRUNCATED} the rest of the file cannot be located and the reader is at its end.
 */
public final class TfRecordReader implements Closeable {
  /** Larger lengths are taken as corruption: no real Example or SequenceExample comes near this. */
  static final long MAX_RECORD_BYTES = 1L << 30;

  private final InputStream in;
  private final String name;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private byte[] payload = new byte[64 * 1024];
  private int length;
  private long recordIndex = -1;
  private long recordOffset;
  private long position;
  private boolean finished;

  /** Reads from {@code in} (which the caller should buffer); {@code name} is used in errors. */
  public TfRecordReader(InputStream in, String name) {
    this.in = in;
    this.name = name;
  }

  /**
   * Advances to the next record. Returns false at a clean end of file.
   *
   * @throws BadRecordException when the record is corrupt or truncated; see the class comment for
   *     whether reading can go on
   */
  public boolean next() throws IOException {
    if (finished) {
      return false;
    }
    recordIndex++;
    recordOffset = position;
    int got = read(header, 0, 12);
    position += got;
    if (got == 0) {
      finished = true;
      return false;
    }
    if (got < 12) {
      throw lost(RecordProblem.TRUNCATED, "file ends inside the 12-byte record header (" + got
          + " bytes left)");
    }
    long len = LittleEndian.getLong(header, 0);
    int storedLengthCrc = LittleEndian.getInt(header, 8);
    if (MaskedCrc32c.of(header, 0, 8) != storedLengthCrc) {
      throw lost(RecordProblem.CORRUPT_LENGTH, String.format(
          "length checksum mismatch (stored %08x, computed %08x); the rest of the file is unreadable",
          storedLengthCrc, MaskedCrc32c.of(header, 0, 8)));
    }
    if (len < 0 || len > MAX_RECORD_BYTES) {
      throw lost(RecordProblem.CORRUPT_LENGTH, "record length " + Long.toUnsignedString(len)
          + " exceeds the limit of " + MAX_RECORD_BYTES + " bytes");
    }
    length = (int) len;
    got = readPayload(length);
    position += got;
    if (got < length) {
      throw lost(RecordProblem.TRUNCATED, "file ends inside the record: " + got + " of " + length
          + " payload bytes present");
    }
    got = read(footer, 0, 4);
    position += got;
    if (got < 4) {
      throw lost(RecordProblem.TRUNCATED, "file ends inside the record's payload checksum");
    }
    int storedCrc = LittleEndian.getInt(footer, 0);
    int crc = MaskedCrc32c.of(payload, 0, length);
    if (crc != storedCrc) {
      throw new BadRecordException(name, recordIndex, recordOffset, RecordProblem.CORRUPT_DATA,
          String.format("payload checksum mismatch (stored %08x, computed %08x) over %d bytes",
              storedCrc, crc, length));
    }
    return true;
  }

  /**
   * Reads up to {@code length} payload bytes, growing the buffer (at most doubling it) only as
   * bytes arrive: a header that claims far more than the file holds (1 GiB in a 112-byte file, say)
   * costs no more memory than the bytes that are there before the record is found truncated.
   */
  private int readPayload(int length) throws IOException {
    int got = 0;
    while (got < length) {
      if (got == payload.length) {
        payload = java.util.Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
      }
      int want = Math.min(length, payload.length) - got;
      int n = read(payload, got, want);
      got += n;
      if (n < want) {
        break; // the end of the file
      }
    }
    return got;
  }

  /**
   * Reads up to {@code n} bytes; a compressed stream that ends early or is corrupt becomes a located
   * TRUNCATED error rather than a bare {@code EOFException} that names nothing.
   */
  private int read(byte[] b, int off, int n) throws IOException {
    try {
      return in.readNBytes(b, off, n);
    } catch (java.io.EOFException | java.util.zip.ZipException e) {
      throw lost(RecordProblem.TRUNCATED, "the compressed stream ends early or is corrupt ("
          + e.getMessage() + "); the rest of the file is unreadable");
    }
  }

  private BadRecordException lost(RecordProblem problem, String detail) {
    finished = true;
    return new BadRecordException(name, recordIndex, recordOffset, problem, detail);
  }

  /** The current record's payload; valid until the next call of {@link #next()}. */
  public byte[] payload() {
    return payload;
  }

  /** The current record's payload length. */
  public int length() {
    return length;
  }

  /** Index of the current record in its file, from 0. */
  public long recordIndex() {
    return recordIndex;
  }

  /** Byte offset of the current record's header in its file. */
  public long recordOffset() {
    return recordOffset;
  }

  /** Bytes consumed from the file so far. */
  public long position() {
    return position;
  }

  /** The file name used in errors. */
  public String name() {
    return name;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
