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
  public String name() {
    return "java";
  }
}
