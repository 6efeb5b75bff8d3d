package org.vidar.synth;

/**
 * exp in plain double arithmetic, so that it gives the same bits on every JVM and CPU (Math.exp
 * may use platform intrinsics) at a fraction of the cost of a native StrictMath call.
 */
final class PortableMath {
  private static final double INV_LN2 = 1.4426950408889634;
  // ln 2 split so that k * LN2_HI is exact for |k| < 2^11.
  private static final double LN2_HI = 6.93147180369123816490e-01;
  private static final double LN2_LO = 1.90821492927058770002e-10;

  private PortableMath() {}

  /**
   * e^x within about 2 ulp: x = k ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor series to
   * degree 13 (remainder below 2e-17), then scaled by 2^k exactly.
   */
  static double exp(double x) {
    if (x != x) {
      return x;
    }
    if (x > 709.78) {
      return Double.POSITIVE_INFINITY;
    }
    if (x < -745.2) {
      return 0;
    }
    double k = Math.rint(x * INV_LN2);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120
        + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880
        + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600
        + r * (1.0 / 6227020800.0)))))))))))));
    return Math.scalb(p, (int) k);
  }
}
