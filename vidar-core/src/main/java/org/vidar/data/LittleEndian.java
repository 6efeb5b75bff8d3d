package org.vidar.data;

/** Little-endian integer access to byte arrays, as TFRecord framing stores its numbers. */
final class LittleEndian {
  private LittleEndian() {}

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  static void putLong(byte[] b, int off, long v) {
    putInt(b, off, (int) v);
    putInt(b, off + 4, (int) (v >>> 32));
  }

  static int getInt(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  static long getLong(byte[] b, int off) {
    return (getInt(b, off) & 0xffffffffL) | ((long) getInt(b, off + 4) << 32);
  }
}
