package org.vidar.data;

import java.util.zip.CRC32C;

/**
 * The masked CRC32C that TFRecord framing stores for the length and for the payload of every record.
 *
 * <p>masked(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8 (mod 2^32). TensorFlow masks the checksum so
 * that a CRC computed over data that itself holds CRCs stays well distributed.
 */
public final class MaskedCrc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private MaskedCrc32c() {}

  /** Masks a raw CRC32C value as TFRecord stores it. */
  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** Inverse of {@link #mask}. */
  public static int unmask(int masked) {
    int rotated = masked - MASK_DELTA;
    return (rotated >>> 17) | (rotated << 15);
  }

  /** The masked CRC32C of {@code length} bytes of {@code data} starting at {@code offset}. */
  public static int of(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return mask((int) crc.getValue());
  }
}
