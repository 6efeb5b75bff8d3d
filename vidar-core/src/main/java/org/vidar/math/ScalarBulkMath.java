package org.vidar.math;

/** {@link BulkMath} with {@link Math}'s scalar functions: the fallback and the reference. */
final class ScalarBulkMath implements BulkMath {
  static final ScalarBulkMath INSTANCE = new ScalarBulkMath();

  private ScalarBulkMath() {}

  @Override
  public void sigmoids(double[] a, double[] sp, double[] sn, int n) {
    sigmoids(a, sp, sn, 0, n);
  }

  /** {@link #sigmoids(double[], double[], double[], int)} for {@code [from, to)}: the vector loops' tails. */
  static void sigmoids(double[] a, double[] sp, double[] sn, int from, int to) {
    for (int i = from; i < to; i++) {
      double t = Math.exp(Math.min(-a[i], 700.0));
      double p = 1.0 / (1.0 + t);
      sp[i] = p;
      sn[i] = t * p;
    }
  }

  @Override
  public void exp(double[] x, double[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = Math.exp(x[i]);
    }
  }

  @Override
  public void log(double[] x, double[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = Math.log(x[i]);
    }
  }

  @Override
  public void scaledAbsMinusSign(float[] x, int xOffset, float[] a, float[] b, float[] out, int outOffset,
      int n) {
    scaledAbsMinusSign(x, xOffset, a, b, out, outOffset, 0, n);
  }

  /** {@link #scaledAbsMinusSign(float[], int, float[], float[], float[], int, int)} for {@code i} in {@code [from, to)}. */
  static void scaledAbsMinusSign(float[] x, int xOffset, float[] a, float[] b, float[] out, int outOffset,
      int from, int to) {
    for (int i = from; i < to; i++) {
      float v = x[xOffset + i];
      out[outOffset + i] = a[i] * Math.abs(v) - b[i] * Math.signum(v);
    }
  }

  @Override
  public String name() {
    return "java";
  }
}
