package org.vidar.tfpeer;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the records of one TFRecord file (plain, or GZIP when the name ends in {@code .gz}): per
 * record a uint64 little-endian length, its masked CRC-32C, the payload and the payload's masked
 * CRC-32C. Both CRCs are checked; a damaged or cut file fails naming the file, record and offset.
 */
final class TfRecordReader implements Closeable {
  private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 8;

  private final Path file;
  private final InputStream in;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long record;
  private long offset;

  /** Opens {@code file}; close the reader to release it. */
  TfRecordReader(Path file) throws IOException {
    this.file = file;
    InputStream raw = Files.newInputStream(file);
    try {
      InputStream buffered = new BufferedInputStream(raw, 1 << 20);
      this.in = file.getFileName().toString().endsWith(".gz")
          ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 20)
          : buffered;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** What a loader does with one record: its payload, and where it is ({@code FILE: record N}). */
  @FunctionalInterface
  interface RecordVisitor {
    void visit(byte[] payload, String where) throws IOException;
  }

  /** Reads every record of {@code files}, in order, handing each to {@code visitor}. */
  static void forEach(java.util.List<Path> files, RecordVisitor visitor) throws IOException {
    for (Path file : files) {
      try (TfRecordReader reader = new TfRecordReader(file)) {
        while (true) {
          long index = reader.recordIndex();
          byte[] payload = reader.next();
          if (payload == null) {
            break;
          }
          visitor.visit(payload, file + ": record " + index);
        }
      }
    }
  }

  /** The index of the record the next {@link #next()} returns (0-based). */
  long recordIndex() {
    return record;
  }

  /** The next record's payload, or null at the clean end of the file. */
  byte[] next() throws IOException {
    int got = in.readNBytes(header, 0, 1);
    if (got == 0) {
      return null;
    }
    readFully(header, 1, 11, "length header");
    long length = littleEndianLong(header, 0);
    int lengthCrc = littleEndianInt(header, 8);
    if (MaskedCrc32c.of(header, 0, 8) != lengthCrc) {
      throw damaged("length CRC mismatch");
    }
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw damaged("record length " + Long.toUnsignedString(length) + " out of range");
    }
    byte[] payload = new byte[(int) length];
    readFully(payload, 0, payload.length, "payload of " + length + " bytes");
    readFully(footer, 0, 4, "payload CRC");
    if (MaskedCrc32c.of(payload, 0, payload.length) != littleEndianInt(footer, 0)) {
      throw damaged("payload CRC mismatch");
    }
    record++;
    offset += 16 + length;
    return payload;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void readFully(byte[] buffer, int from, int length, String what) throws IOException {
    if (in.readNBytes(buffer, from, length) != length) {
      throw new EOFException(file + ": record " + record + " at byte " + offset
          + " is cut short (end of file inside its " + what + ")");
    }
  }

  private IOException damaged(String why) {
    return new IOException(file + ": record " + record + " at byte " + offset + " is damaged: " + why);
  }

  private static long littleEndianLong(byte[] b, int at) {
    return (littleEndianInt(b, at) & 0xffffffffL) | ((long) littleEndianInt(b, at + 4) << 32);
  }

  private static int littleEndianInt(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }
}
