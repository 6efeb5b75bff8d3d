package org.vidar.tfpeer;

import java.util.zip.CRC32C;

/** The masked CRC-32C that TFRecord framing stores after the length and after the payload. */
final class MaskedCrc32c {
  // TFRecord masks the CRC so that a CRC computed over bytes that themselves hold CRCs stays robust.
  private static final int MASK_DELTA = 0xa282ead8;

  private MaskedCrc32c() {}

  /** The masked CRC-32C of {@code bytes[offset .. offset + length)}. */
  static int of(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }
}
