package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
  private static int half(float f) {
    return HalfFloats.floatToHalf(f) & 0xffff;
  }

  private static int bf16(float f) {
    return HalfFloats.floatToBfloat16(f) & 0xffff;
  }

  @Test
  void everyHalfDecodesAndEncodesBackExactly() {
    for (int h = 0; h < 0x10000; h++) {
      float f = HalfFloats.halfToFloat((short) h);
      if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
        assertTrue(Float.isNaN(f), Integer.toHexString(h));
        int back = half(f);
        assertTrue((back & 0x7c00) == 0x7c00 && (back & 0x3ff) != 0, "NaN stays NaN: " + Integer.toHexString(h));
        assertEquals(h & 0x8000, back & 0x8000, "NaN keeps its sign");
      } else {
        assertEquals(h, half(f), Integer.toHexString(h));
      }
    }
  }

  @Test
  void everyBfloat16DecodesAndEncodesBackExactly() {
    for (int h = 0; h < 0x10000; h++) {
      float f = HalfFloats.bfloat16ToFloat((short) h);
      assertEquals(Float.floatToRawIntBits(f), h << 16);
      if ((h & 0x7f80) == 0x7f80 && (h & 0x7f) != 0) {
        assertTrue(Float.isNaN(HalfFloats.bfloat16ToFloat((short) bf16(f))));
        assertEquals(h & 0x8000, bf16(f) & 0x8000);
      } else {
        assertEquals(h, bf16(f), Integer.toHexString(h));
      }
    }
  }

  @Test
  void halfKnownValues() {
    assertEquals(0x3c00, half(1f));
    assertEquals(0xc000, half(-2f));
    assertEquals(0x0000, half(0f));
    assertEquals(0x8000, half(-0f));
    assertEquals(0x7bff, half(65504f)); // largest finite
    assertEquals(0x7bff, half(65519.99f)); // below the halfway point to 65536
    assertEquals(0x7c00, half(65520f)); // halfway, ties to even: infinity
    assertEquals(0x7c00, half(1e10f));
    assertEquals(0xfc00, half(Float.NEGATIVE_INFINITY));
    assertEquals(0x7c00, half(Float.POSITIVE_INFINITY));
    assertEquals(0x0400, half(0x1p-14f)); // smallest normal
    assertEquals(0x03ff, half(0x1p-14f - 0x1p-24f)); // largest subnormal
    assertEquals(0x0001, half(0x1p-24f)); // smallest subnormal
    assertEquals(0x0000, half(0x1p-25f)); // halfway to the smallest subnormal: ties to even (zero)
    assertEquals(0x0001, half(Math.nextUp(0x1p-25f)));
    assertEquals(0x0003, half(0x1.8p-23f)); // exactly 3 units of 2^-24
    assertEquals(0x0002, half(2.5f * 0x1p-24f)); // tie between 2 and 3 units: even (2)
    assertEquals(0x0004, half(3.5f * 0x1p-24f)); // tie between 3 and 4 units: even (4)
    assertEquals(0x8000, half(-0x1p-30f)); // underflow keeps the sign
    assertEquals(0x0000, half(Float.MIN_VALUE)); // float subnormal
    assertEquals(0x3c00, half(1f + 0x1p-11f)); // tie: even mantissa 0
    assertEquals(0x3c02, half(1f + 3 * 0x1p-11f)); // tie: even mantissa 2
    assertEquals(0x3c01, half(1f + 0x1p-11f + 0x1p-20f)); // just above the tie
    assertEquals(0x3555, half(1f / 3)); // numpy: np.float16(1/3).view(np.uint16) == 0x3555
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(Float.NaN))));
    assertEquals(0xfe00, half(Float.intBitsToFloat(0xffc00000))); // negative quiet NaN
    // A signalling NaN whose payload sits in the low bits becomes a quiet NaN, not infinity.
    assertEquals(0x7e00, half(Float.intBitsToFloat(0x7f800001)));
  }

  @Test
  void bfloat16KnownValues() {
    assertEquals(0x3f80, bf16(1f));
    assertEquals(0xc000, bf16(-2f));
    assertEquals(0x8000, bf16(-0f));
    assertEquals(0x7f80, bf16(Float.POSITIVE_INFINITY));
    assertEquals(0xff80, bf16(Float.NEGATIVE_INFINITY));
    assertEquals(0x7f80, bf16(Float.MAX_VALUE)); // rounds up to infinity
    assertEquals(0x3f80, bf16(Float.intBitsToFloat(0x3f808000))); // tie: even
    assertEquals(0x3f82, bf16(Float.intBitsToFloat(0x3f818000))); // tie: even (up)
    assertEquals(0x3f81, bf16(Float.intBitsToFloat(0x3f808001)));
    assertEquals(0x0000, bf16(Float.MIN_VALUE)); // smallest float subnormal: below half a bf16 step
    assertEquals(0x0001, bf16(Float.intBitsToFloat(0x00010000))); // float subnormal stays subnormal
    assertEquals(0x0080, bf16(Float.MIN_NORMAL));
    assertTrue(Float.isNaN(HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(Float.NaN))));
    assertEquals(0x7fc0, bf16(Float.intBitsToFloat(0x7f800001))); // quiet, not infinity
  }

  @Test
  void roundTripWithinPrecision() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      // Normal F16 range: [2^-14, 2^15), either sign.
      float x = (float) ((1 + rnd.nextDouble()) * Math.scalb(rnd.nextBoolean() ? 1.0 : -1.0, rnd.nextInt(-14, 15)));
      float h = HalfFloats.halfToFloat(HalfFloats.floatToHalf(x));
      assertTrue(Math.abs(h - x) <= Math.abs(x) * 0x1p-11f, x + " -> " + h);
      float b = HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(x));
      assertTrue(Math.abs(b - x) <= Math.abs(x) * 0x1p-8f, x + " -> " + b);
      // Nearest: no other representable value is closer.
      float hUp = HalfFloats.halfToFloat((short) (HalfFloats.floatToHalf(x) + 1));
      float hDown = HalfFloats.halfToFloat((short) (HalfFloats.floatToHalf(x) - 1));
      assertTrue(Math.abs(h - x) <= Math.abs(hUp - x) && Math.abs(h - x) <= Math.abs(hDown - x), x + " -> " + h);
    }
  }
}
