package org.vidar.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes TFRecord framing: uint64 little-endian length, masked CRC32C of the length, the payload,
 * masked CRC32C of the payload. Byte-for-byte what TensorFlow's {@code TFRecordWriter} produces for
 * uncompressed files.
 */
public final class TfRecordWriter implements Closeable {
  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long records;
  private long bytes;

  /** Wraps {@code out}; the caller should pass a buffered stream. Closing this closes it. */
  public TfRecordWriter(OutputStream out) {
    this.out = out;
  }

  /** Appends one record holding {@code length} bytes of {@code payload} from {@code offset}. */
  public void write(byte[] payload, int offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > payload.length) {
      throw new IndexOutOfBoundsException(
          "offset " + offset + ", length " + length + " outside array of " + payload.length);
    }
    LittleEndian.putLong(header, 0, length);
    LittleEndian.putInt(header, 8, MaskedCrc32c.of(header, 0, 8));
    LittleEndian.putInt(footer, 0, MaskedCrc32c.of(payload, offset, length));
    out.write(header);
    out.write(payload, offset, length);
    out.write(footer);
    records++;
    bytes += 16L + length;
  }

  /** Appends one record holding all of {@code payload}. */
  public void write(byte[] payload) throws IOException {
    write(payload, 0, payload.length);
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  /** Bytes written so far, framing included. */
  public long bytes() {
    return bytes;
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
