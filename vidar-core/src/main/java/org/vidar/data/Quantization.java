package org.vidar.data;

/**
 * YouTube-8M's 8-bit feature quantization. Writer: q = round((clip(x, -2, 2) + 2) * 255 / 4).
 * Reader, with the starter code's exact constants: x = q * (4 / 255) + (4 / 512 - 2), so q = 0 reads
 * as -1.9921875 and q = 255 as 2.0078125 (a half-step bias the starter code applies).
 */
public final class Quantization {
  /** Lowest and highest value before quantization. */
  public static final float MIN = -2f;
  public static final float MAX = 2f;
  private static final float SCALE = 4f / 255f;
  private static final float BIAS = 4f / 512f - 2f;
  private static final float[] TABLE = new float[256];

  static {
    for (int q = 0; q < 256; q++) {
      TABLE[q] = q * SCALE + BIAS;
    }
  }

  private Quantization() {}

  /** The float a quantized byte stands for. */
  public static float dequantize(byte q) {
    return TABLE[q & 0xff];
  }

  /** The quantized byte of a float; values outside [-2, 2] are clipped, NaN is rejected. */
  public static byte quantize(float x) {
    if (Float.isNaN(x)) {
      throw new IllegalArgumentException("cannot quantize NaN");
    }
    float clipped = Math.max(MIN, Math.min(MAX, x));
    return (byte) Math.round((clipped - MIN) * 255f / (MAX - MIN));
  }

  /**
   * The byte that {@link #dequantize(byte)} reads as {@code x}: the inverse of dequantizing, for
   * frames decoded from a file and held again as bytes.
   *
   * @throws IllegalArgumentException when {@code x} is not one of the 256 levels
   */
  public static byte levelOf(float x) {
    long q = Math.round((x - BIAS) / SCALE);
    if (q < 0 || q > 255 || TABLE[(int) q] != x) {
      throw new IllegalArgumentException(x + " is not a dequantized byte");
    }
    return (byte) q;
  }

  /** Dequantizes {@code n} bytes from {@code src[srcOff]} into {@code dst[dstOff]}. */
  public static void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] = TABLE[src[srcOff + i] & 0xff];
    }
  }

  /** Quantizes {@code n} floats from {@code src[srcOff]} into {@code dst[dstOff]}. */
  public static void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] = quantize(src[srcOff + i]);
    }
  }
}
