package org.vidar.model.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * Shared machinery of the layer tests: the float layer against a double-precision reference
 * forward, and its analytic gradients against central finite differences of
 * {@code L = Σ c_ij·y_ij} taken on that reference.
 *
 * <p>Tolerances. Forward: {@code |y − ref| ≤ 1e-4·max(1, |ref|)}. Gradients, per element:
 * {@code |analytic − numeric| ≤ 1e-3·max(|numeric|, 1e-2·max_k |numeric_k|) + 1e-6}, i.e. a
 * relative error below 1e-3 except for elements a hundred times smaller than the largest of their
 * tensor, where float rounding of the analytic sums dominates. Finite differences use
 * {@code eps = 1e-6} in double: truncation ~1e-12, rounding ~1e-10.
 */
public final class GradCheck {
  public static final double EPS = 1e-6;
  public static final double REL_TOL = 1e-3;
  public static final double FLOOR = 1e-2;
  public static final double ABS_TOL = 1e-6;
  public static final double FORWARD_TOL = 1e-4;

  private GradCheck() {
  }

  /** A double-precision forward written with plain loops. */
  interface Reference {
    double[] forward(double[] params, double[] x, int rows);
  }

  public static List<Kernels> kernels() {
    return List.of(KernelProvider.select("java"), KernelProvider.select("netlib"));
  }

  public static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextDouble(lo, hi);
    }
    return a;
  }

  public static double[] toDouble(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  public static double dot(double[] a, double[] b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  public static boolean nonTrainable(TensorRef t) {
    return t.name().endsWith("/running_mean") || t.name().endsWith("/running_var");
  }

  public static void assertForward(String what, double[] ref, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      double tol = FORWARD_TOL * Math.max(1, Math.abs(ref[i]));
      int at = i;
      assertTrue(Math.abs(y[i] - ref[i]) <= tol,
          () -> what + "[" + at + "]: float " + y[at] + " vs double " + ref[at]);
    }
  }

  /** Compares {@code analytic[aOff .. aOff+n)} with {@code numeric[0..n)}. */
  public static void assertGrad(String what, double[] numeric, float[] analytic, int aOff, int n) {
    double max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, Math.abs(numeric[i]));
    }
    for (int i = 0; i < n; i++) {
      double a = analytic[aOff + i];
      double tol = REL_TOL * Math.max(Math.abs(numeric[i]), FLOOR * max) + ABS_TOL;
      int at = i;
      assertTrue(Math.abs(a - numeric[i]) <= tol,
          () -> what + "[" + at + "]: analytic " + analytic[aOff + at] + " vs numeric " + numeric[at]);
    }
  }

  /** Central differences of {@code Σ c·f} with respect to {@code v[from .. from+n)}, v restored after. */
  public static double[] numeric(java.util.function.Supplier<double[]> f, double[] v, int from, int n,
      double[] c, int outputs) {
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      double saved = v[from + i];
      v[from + i] = saved + EPS;
      double plus = dot(f.get(), c, outputs);
      v[from + i] = saved - EPS;
      double minus = dot(f.get(), c, outputs);
      v[from + i] = saved;
      g[i] = (plus - minus) / (2 * EPS);
    }
    return g;
  }

  /**
   * Runs {@code layer} forward and backward on {@code x} and checks output, every tensor's
   * gradient in {@code layout} (non-trainable ones and {@code pad} must stay 0) and dx. Returns the
   * gradient.
   */
  public static float[] check(String what, Layer layer, Layer.Scratch s, ParameterLayout layout,
      float[] params, float[] x, int rows, Reference ref, SplittableRandom r) {
    int in = layer.inputDim();
    int out = layer.outputDim();
    double[] pd = toDouble(params);
    double[] xd = toDouble(x);
    float[] y = new float[rows * out];
    layer.forward(params, x, rows, y, s);
    assertForward(what + " y", ref.forward(pd, xd, rows), y, rows * out);

    float[] cf = uniform(r, rows * out, -1, 1);
    double[] c = toDouble(cf);
    float[] grad = new float[layout.size()];
    float[] dx = new float[rows * in];
    layer.backward(params, x, rows, cf, dx, grad, s);

    for (TensorRef t : layout.tensors()) {
      if (t.name().equals("pad") || nonTrainable(t)) {
        for (int i = 0; i < t.size(); i++) {
          assertEquals(0f, grad[t.offset() + i], what + " " + t.name() + " gradient must stay 0");
        }
        continue;
      }
      double[] g = numeric(() -> ref.forward(pd, xd, rows), pd, t.offset(), t.size(), c, rows * out);
      assertGrad(what + " d" + t.name(), g, grad, t.offset(), t.size());
    }
    double[] gx = numeric(() -> ref.forward(pd, xd, rows), xd, 0, rows * in, c, rows * out);
    assertGrad(what + " dx", gx, dx, 0, rows * in);
    return grad;
  }

  /**
   * Checks that backward adds into grad (two batches accumulate to the sum of their gradients)
   * and that dx == null leaves the parameter gradient unchanged.
   */
  public static void checkAccumulation(String what, Layer layer, ParameterLayout layout, float[] params,
      int rows, SplittableRandom r) {
    int in = layer.inputDim();
    int out = layer.outputDim();
    float[] x1 = uniform(r, rows * in, -1, 1);
    float[] x2 = uniform(r, rows * in, -1, 1);
    float[] dy1 = uniform(r, rows * out, -1, 1);
    float[] dy2 = uniform(r, rows * out, -1, 1);
    float[] y = new float[rows * out];
    float[] dx = new float[rows * in];
    Layer.Scratch s = layer.newScratch();

    float[] g1 = new float[layout.size()];
    layer.forward(params.clone(), x1, rows, y, s);
    layer.backward(params, x1, rows, dy1, dx, g1, s);
    float[] g2 = new float[layout.size()];
    layer.forward(params.clone(), x2, rows, y, s);
    layer.backward(params, x2, rows, dy2, dx, g2, s);

    float[] start = uniform(r, layout.size(), -1, 1);
    float[] both = start.clone();
    layer.forward(params.clone(), x1, rows, y, s);
    layer.backward(params, x1, rows, dy1, null, both, s);
    layer.forward(params.clone(), x2, rows, y, s);
    layer.backward(params, x2, rows, dy2, dx, both, s);
    for (int i = 0; i < both.length; i++) {
      double want = (double) start[i] + g1[i] + g2[i];
      double tol = 1e-5 * (Math.abs(start[i]) + Math.abs(g1[i]) + Math.abs(g2[i])) + 1e-7;
      assertEquals(want, both[i], tol, what + " accumulated grad[" + i + "]");
    }

    float[] withoutDx = new float[layout.size()];
    layer.forward(params.clone(), x1, rows, y, s);
    layer.backward(params, x1, rows, dy1, null, withoutDx, s);
    for (int i = 0; i < g1.length; i++) {
      assertEquals(g1[i], withoutDx[i], what + " grad with dx == null [" + i + "]");
    }
  }
}
