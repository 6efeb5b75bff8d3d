package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskedCrc32cTest {
  private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

  /** The standard CRC32C check value, recovered through unmask. */
  @Test
  void checkValueOf123456789() {
    assertEquals(0xE3069283, MaskedCrc32c.unmask(MaskedCrc32c.of(CHECK, 0, CHECK.length)));
    // mask(0xE3069283) worked out by hand: rotr15 = 0x2507C60D, + 0xA282EAD8 = 0xC78AB0E5 (mod 2^32)
    assertEquals(0xC78AB0E5, MaskedCrc32c.of(CHECK, 0, CHECK.length));
  }

  /** RFC 3720 (iSCSI) CRC32C test vectors. */
  @Test
  void iscsiTestVectors() {
    byte[] zeros = new byte[32];
    byte[] ones = new byte[32];
    byte[] up = new byte[32];
    byte[] down = new byte[32];
    for (int i = 0; i < 32; i++) {
      ones[i] = (byte) 0xff;
      up[i] = (byte) i;
      down[i] = (byte) (31 - i);
    }
    assertEquals(0x8A9136AA, MaskedCrc32c.unmask(MaskedCrc32c.of(zeros, 0, 32)));
    assertEquals(0x62A8AB43, MaskedCrc32c.unmask(MaskedCrc32c.of(ones, 0, 32)));
    assertEquals(0x46DD794E, MaskedCrc32c.unmask(MaskedCrc32c.of(up, 0, 32)));
    assertEquals(0x113FDB5C, MaskedCrc32c.unmask(MaskedCrc32c.of(down, 0, 32)));
    // the empty input has CRC 0, so its masked CRC is the mask delta alone
    assertEquals(0xA282EAD8, MaskedCrc32c.of(new byte[0], 0, 0));
  }

  @Test
  void maskFormulaOnHandWorkedValues() {
    assertEquals(0xA282EAD8, MaskedCrc32c.mask(0));
    // 1 rotated right by 15 is 1 << 17 = 0x00020000
    assertEquals(0xA284EAD8, MaskedCrc32c.mask(1));
    // 0x8000 rotated right by 15 is 1
    assertEquals(0xA282EAD9, MaskedCrc32c.mask(0x8000));
    // all ones rotate to all ones; 0xFFFFFFFF + 0xA282EAD8 wraps to 0xA282EAD7
    assertEquals(0xA282EAD7, MaskedCrc32c.mask(0xFFFFFFFF));
    // 0x12345678: rotr15 = (0x12345678 >>> 15) | (0x12345678 << 17) = 0x2468 | 0xACF00000 = 0xACF02468
    // + 0xA282EAD8 = 0x14F730F40 -> 0x4F730F40
    assertEquals(0x4F730F40, MaskedCrc32c.mask(0x12345678));
  }

  @Test
  void maskMatchesIndependentLongArithmetic() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 1000; i++) {
      int c = r.nextInt();
      assertEquals(referenceMask(c), MaskedCrc32c.mask(c), "crc " + Integer.toHexString(c));
    }
  }

  @Test
  void maskUnmaskRoundTrip() {
    SplittableRandom r = new SplittableRandom(11);
    int[] edges = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0xA282EAD8, 0x8000, 0x10000};
    for (int c : edges) {
      assertEquals(c, MaskedCrc32c.unmask(MaskedCrc32c.mask(c)));
      assertEquals(c, MaskedCrc32c.mask(MaskedCrc32c.unmask(c)));
    }
    for (int i = 0; i < 1000; i++) {
      int c = r.nextInt();
      assertEquals(c, MaskedCrc32c.unmask(MaskedCrc32c.mask(c)));
      assertEquals(c, MaskedCrc32c.mask(MaskedCrc32c.unmask(c)));
    }
  }

  @Test
  void ofHonoursOffsetAndLength() {
    byte[] padded = new byte[CHECK.length + 7];
    padded[0] = 'x';
    padded[1] = 'y';
    padded[2] = 'z';
    System.arraycopy(CHECK, 0, padded, 3, CHECK.length);
    padded[padded.length - 1] = 'q';
    assertEquals(0xC78AB0E5, MaskedCrc32c.of(padded, 3, CHECK.length));
    assertNotEquals(0xC78AB0E5, MaskedCrc32c.of(padded, 2, CHECK.length));
  }

  private static int referenceMask(int crc) {
    long c = crc & 0xffffffffL;
    long rotated = ((c >>> 15) | (c << 17)) & 0xffffffffL;
    return (int) ((rotated + 0xa282ead8L) & 0xffffffffL);
  }
}
