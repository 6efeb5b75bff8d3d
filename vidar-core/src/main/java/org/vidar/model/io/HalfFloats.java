package org.vidar.model.io;

/**
 * Conversions between {@code float} and the 16-bit IEEE half (F16) and bfloat16 (BF16) formats,
 * rounding to nearest, ties to even, as numpy's {@code astype(float16)} and PyTorch do.
 *
 * <p>Rules: infinities stay infinities; a NaN stays a NaN of the same sign, made quiet, keeping the
 * top payload bits that fit; zero keeps its sign. F16: magnitudes from 65520 up round to infinity,
 * magnitudes below 2^-14 become F16 subnormals (step 2^-24), and magnitudes up to 2^-25 (inclusive,
 * by ties to even) become a signed zero. BF16 has the exponent range of float, so only the mantissa is
 * rounded: float subnormals stay subnormal, and values within half a BF16 step of
 * {@code Float.MAX_VALUE} round to infinity. Decoding both formats to float is exact.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The F16 bits nearest to {@code f}. */
  public static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (mant == 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign; // below 2^-25: rounds to zero
      }
      // F16 subnormal: value = m * 2^-24; the float's 24-bit significand shifted down to that unit.
      int sig = mant | 0x800000;
      int shift = 14 - e;
      int m = sig >>> shift;
      int rem = sig & ((1 << shift) - 1);
      int half = 1 << (shift - 1);
      if (rem > half || (rem == half && (m & 1) != 0)) {
        m++; // a carry out of the mantissa gives the smallest normal, which is right
      }
      return (short) (sign | m);
    }
    int h = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
      h++; // a carry into the exponent is right too, up to infinity (0x7c00)
    }
    return (short) (sign | h);
  }

  /** The float value of F16 bits (exact). */
  public static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // exact: at most 10 significant bits
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** The BF16 bits nearest to {@code f}. */
  public static short floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** The float value of BF16 bits (exact). */
  public static float bfloat16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }
}
