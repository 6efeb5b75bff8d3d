package org.vidar.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every {@link BulkMath} against the plain-Java reference, at odd lengths and extreme arguments. */
class BulkMathTest {
  static final int[] SIZES = {0, 1, 7, 13, 103, 207, 1000};

  @Test
  void theVectorImplementationRunsInTheTests() {
    // The test JVM gets --add-modules jdk.incubator.vector (as the launcher gives it), so the
    // comparisons below compare two implementations, not one with itself.
    assertTrue(BulkMath.get().name().startsWith("vector"), BulkMath.get().name());
  }

  /** Exactly the plain loop (one product and one difference a value either way; 0 and −0 alike), at offsets. */
  @Test
  void scaledAbsMinusSignAgreesWithPlainJavaAndHandWorkedValues() {
    float[] hand = {2f, -3f, 0f, -0f, Float.NaN};
    float[] a = {1f, 1f, 1f, 1f, 1f};
    float[] b = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    for (BulkMath m : new BulkMath[] {BulkMath.scalar(), BulkMath.get()}) {
      float[] out = new float[7];
      m.scaledAbsMinusSign(hand, 0, a, b, out, 2, 5);
      assertEquals(0f, out[0]);
      assertEquals(1.5f, out[2], m.name()); // |2| − 0.5·1
      assertEquals(3.5f, out[3], m.name()); // |−3| + 0.5
      assertEquals(0f, out[4], m.name()); // sign 0 at 0
      assertEquals(0f, out[5], m.name());
      assertTrue(Float.isNaN(out[6]), m.name());
    }
    SplittableRandom r = new SplittableRandom(5);
    for (int n : SIZES) {
      float[] x = new float[n + 9];
      float[] ca = new float[n];
      float[] cb = new float[n];
      for (int i = 0; i < x.length; i++) {
        x[i] = i % 4 == 0 ? 0f : (float) r.nextDouble(-3, 3);
      }
      for (int i = 0; i < n; i++) {
        ca[i] = (float) r.nextDouble(-2, 2);
        cb[i] = (float) r.nextDouble(-2, 2);
      }
      float[] want = new float[n + 5];
      float[] got = new float[n + 5];
      BulkMath.scalar().scaledAbsMinusSign(x, 9, ca, cb, want, 5, n);
      BulkMath.get().scaledAbsMinusSign(x, 9, ca, cb, got, 5, n);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 0f, "n=" + n + " [" + i + "]");
      }
    }
  }

  @Test
  void agreesWithPlainJava() {
    BulkMath ref = BulkMath.scalar();
    BulkMath fast = BulkMath.get();
    SplittableRandom r = new SplittableRandom(3);
    for (int n : SIZES) {
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = i % 10 == 0 ? new double[] {-800, 800, -700, 700, 0, -0.0, 1e-300, -745, 709, 1e-12}[(i / 10) % 10]
            : r.nextDouble(-50, 50);
      }
      double[] sp1 = new double[n];
      double[] sn1 = new double[n];
      double[] sp2 = new double[n];
      double[] sn2 = new double[n];
      ref.sigmoids(x, sp1, sn1, n);
      fast.sigmoids(x, sp2, sn2, n);
      double[] e1 = new double[n];
      double[] e2 = new double[n];
      double[] clamped = new double[n];
      for (int i = 0; i < n; i++) {
        clamped[i] = Math.max(-700, Math.min(700, x[i]));
      }
      ref.exp(clamped, e1, n);
      fast.exp(clamped, e2, n);
      double[] pos = new double[n];
      for (int i = 0; i < n; i++) {
        pos[i] = Math.abs(x[i]) + 1e-300;
      }
      double[] l1 = new double[n];
      double[] l2 = new double[n];
      ref.log(pos, l1, n);
      fast.log(pos, l2, n);
      for (int i = 0; i < n; i++) {
        String at = "n=" + n + " x=" + x[i];
        assertClose(sp1[i], sp2[i], at + " σ(x)");
        assertClose(sn1[i], sn2[i], at + " σ(-x)");
        assertClose(e1[i], e2[i], at + " exp");
        assertClose(l1[i], l2[i], at + " log");
        assertTrue(sp2[i] >= 0 && sp2[i] <= 1 && sn2[i] >= 0 && sn2[i] <= 1, at);
        assertTrue(Double.isFinite(sp2[i] + sn2[i]), at);
      }
    }
  }

  /** Within a few ulps: SIMD routines are accurate to about 1 ulp, as Math's are, but not the same ulp. */
  static void assertClose(double want, double got, String what) {
    assertEquals(want, got, 4 * Math.ulp(want) + Double.MIN_VALUE, what);
  }
}
