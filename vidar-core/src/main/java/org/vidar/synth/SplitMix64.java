package org.vidar.synth;

/**
 * The SplitMix64 generator, written out here so that a synthetic data set is bit-for-bit the same
 * on every JDK and machine: {@code SplittableRandom} and {@code RandomGenerator.nextGaussian} leave
 * parts of their algorithms unspecified.
 */
final class SplitMix64 {
  static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;
  private double spareGaussian;
  private boolean hasSpare;

  SplitMix64(long seed) {
    this.state = seed;
  }

  /** Stafford's variant 13 finalizer: a bijection on 64-bit values with full avalanche. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The starting state of stream {@code index} in {@code domain}. For a fixed seed and domain it is
   * injective in the index (an odd multiplier and a bijective mix), so no two videos share a stream.
   */
  static long streamSeed(long seed, long domain, long index) {
    return mix64(mix64(seed ^ domain) + GOLDEN_GAMMA * (index + 1));
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  /** Uniform in [0, bound); the multiply-shift bias is below bound / 2^32, far under any test. */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Standard normal by Marsaglia's polar method, with StrictMath so results are portable. */
  double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareGaussian;
    }
    double v1;
    double v2;
    double s;
    do {
      v1 = 2 * nextDouble() - 1;
      v2 = 2 * nextDouble() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s == 0);
    double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
    spareGaussian = v2 * f;
    hasSpare = true;
    return v1 * f;
  }

  /** Poisson by Knuth's product of uniforms; only used with small means. */
  int nextPoisson(double mean) {
    double limit = StrictMath.exp(-mean);
    double product = nextDouble();
    int n = 0;
    while (product > limit) {
      product *= nextDouble();
      n++;
    }
    return n;
  }

  /**
   * Adds {@code scale} times unit-variance noise to {@code dst[off, off + len)}, then clips to
   * [-limit, limit]. Each noise value is an Irwin-Hall sum of four 8-bit uniforms (bell-shaped,
   * bounded by +-3.45 standard deviations, steps of 1/148 of a deviation, far below the 8-bit
   * quantization step), two per 64-bit draw: frames need ~350k values per video, and this loop is
   * several times cheaper than true Gaussians.
   */
  void addNoiseAndClip(float[] dst, int off, int len, float scale, float limit) {
    float unit = (float) (scale * IRWIN_HALL_8_SCALE);
    long s = state;
    int end = off + len;
    int j = off;
    for (; j + 1 < end; j += 2) {
      s += GOLDEN_GAMMA;
      long q = byteQuadSums(mix64(s));
      dst[j] = clip(dst[j] + unit * ((int) (q & 0xFFFFFFFFL) - 510), limit);
      dst[j + 1] = clip(dst[j + 1] + unit * ((int) (q >>> 32) - 510), limit);
    }
    if (j < end) {
      s += GOLDEN_GAMMA;
      long q = byteQuadSums(mix64(s));
      dst[j] = clip(dst[j] + unit * ((int) (q & 0xFFFFFFFFL) - 510), limit);
    }
    state = s;
  }

  /** The sums of bytes 0..3 and of bytes 4..7 of r, in the low and high 32 bits (SWAR). */
  private static long byteQuadSums(long r) {
    long pairs = (r & 0x00FF00FF00FF00FFL) + ((r >>> 8) & 0x00FF00FF00FF00FFL);
    return (pairs & 0x0000FFFF0000FFFFL) + ((pairs >>> 16) & 0x0000FFFF0000FFFFL);
  }

  // Math.min/max on floats pay for NaN and signed-zero rules that finite features never need.
  private static float clip(float v, float limit) {
    return v > limit ? limit : v < -limit ? -limit : v;
  }

  // Four uniforms on 0..255 have variance 4 (256^2 - 1) / 12 = 21845.
  private static final double IRWIN_HALL_8_SCALE = 1 / Math.sqrt(21845.0);
}
