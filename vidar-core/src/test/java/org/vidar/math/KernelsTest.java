package org.vidar.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.JavaBLAS;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every {@link Kernels} implementation against one double-precision triple-loop reference. */
class KernelsTest {

  /** Padding of A and B: reading it makes the result NaN. */
  private static final float POISON = Float.NaN;
  /** Padding of C: writing it is caught by comparing against this value. */
  private static final float GUARD = 12345f;

  static List<Kernels> implementations() {
    // netlib's default may or may not be native here; its pure-Java fallback is tested
    // explicitly too so that both paths of NetlibKernels run on every machine.
    return List.of(new JavaKernels(), new NetlibKernels(), new NetlibKernels(JavaBLAS.getInstance()));
  }

  static Stream<Arguments> cases() {
    int[][] sizes = {
      {1, 1, 1}, {1, 13, 103}, {13, 1, 207}, {103, 207, 13}, {207, 103, 1}, {13, 13, 13},
      {103, 103, 103}, {207, 207, 207}, {207, 1, 103}, {1, 207, 207}, {13, 207, 103},
      {7, 5, 0},
    };
    List<Arguments> out = new ArrayList<>();
    for (Kernels kernels : implementations()) {
      for (int[] s : sizes) {
        for (int t = 0; t < 4; t++) {
          out.add(Arguments.of(kernels, t >= 2, (t & 1) == 1, s[0], s[1], s[2]));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} transA={1} transB={2} m={3} n={4} k={5}")
  @MethodSource("cases")
  void matchesReference(Kernels kernels, boolean transA, boolean transB, int m, int n, int k) {
    long seed = 31L * m + 7L * n + k + (transA ? 1000 : 0) + (transB ? 2000 : 0);
    SplittableRandom rnd = new SplittableRandom(seed);
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    // Offsets and strides wider than the rows, padded with values that betray a wrong index.
    Stored a = Stored.random(rnd, 3, aRows, aCols, aCols + 5, POISON);
    Stored b = Stored.random(rnd, 5, bRows, bCols, bCols + 2, POISON);
    Stored c = Stored.random(rnd, 7, m, n, n + 3, GUARD);
    float alpha = 0.75f;
    float beta = -1.25f;

    double[] expected = reference(transA, transB, m, n, k, alpha, a, b, beta, c);
    kernels.sgemm(transA, transB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld,
        beta, c.data, c.off, c.ld);

    // Float error of a k-term sum grows with k and with the size of its terms.
    double tol = 1e-5 * (Math.max(k, 1) * Math.abs(alpha) * a.maxAbs * b.maxAbs + Math.abs(beta) * c.maxAbs);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float got = c.data[c.off + i * c.ld + j];
        int row = i;
        int col = j;
        assertEquals(expected[i * n + j], got, tol,
            () -> kernels.name() + " C[" + row + "," + col + "]");
      }
    }
    c.assertPaddingUntouched(GUARD);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void betaZeroOverwritesNaN(Kernels kernels) {
    int m = 13;
    int n = 13;
    int k = 13;
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    Arrays.fill(a, 1f);
    Arrays.fill(b, 2f);
    float[] c = new float[m * n];
    Arrays.fill(c, Float.NaN);
    kernels.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
    for (float v : c) {
      assertEquals(2f * k, v, 1e-4f);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void rejectsBadArgumentsNamingThem(Kernels kernels) {
    float[] a = new float[6];
    float[] b = new float[6];
    float[] c = new float[4];
    // 2×3 · 3×2 = 2×2 is valid:
    kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
    assertMessage("lda", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
    assertMessage("ldb", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 1, 0f, c, 0, 2));
    assertMessage("ldc", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 1));
    // Transposed A is stored 3×2, so lda = 3 is fine but a stride of 1 is not.
    assertMessage("lda", () -> kernels.sgemm(true, false, 2, 2, 3, 1f, a, 0, 1, b, 0, 2, 0f, c, 0, 2));
    assertMessage("array a too short", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
    assertMessage("array b too short", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 2));
    assertMessage("array c too short", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 3));
    assertMessage("m must", () -> kernels.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
    assertMessage("k must", () -> kernels.sgemm(false, false, 2, 2, -3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
    assertMessage("c offset", () -> kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, -1, 2));
    // The bound is computed in long: (rows - 1) · ld overflows an int here.
    assertMessage("array c too short", () -> kernels.sgemm(false, false, 3, 1, 0, 1f, a, 0, 1, b, 0, 1, 0f, c, 0, Integer.MAX_VALUE));
  }

  private static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
  }

  @org.junit.jupiter.api.Test
  void providerHonoursTheSystemProperty() {
    String old = System.getProperty(KernelProvider.PROPERTY);
    try {
      System.setProperty(KernelProvider.PROPERTY, "java");
      assertTrue(KernelProvider.select(System.getProperty(KernelProvider.PROPERTY)) instanceof JavaKernels);
      System.setProperty(KernelProvider.PROPERTY, "NetLib");
      Kernels netlib = KernelProvider.select(System.getProperty(KernelProvider.PROPERTY));
      assertTrue(netlib instanceof NetlibKernels);
      assertTrue(netlib.name().startsWith("netlib:"));
      Kernels auto = KernelProvider.select("auto");
      // auto takes netlib only when it is native.
      assertEquals(new NetlibKernels().isNative(), auto instanceof NetlibKernels, auto.name());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.select("cuda"));
      assertTrue(e.getMessage().contains(KernelProvider.PROPERTY));
      assertFalse(KernelProvider.get().name().isEmpty());
    } finally {
      if (old == null) {
        System.clearProperty(KernelProvider.PROPERTY);
      } else {
        System.setProperty(KernelProvider.PROPERTY, old);
      }
    }
  }

  private static double[] reference(boolean transA, boolean transB, int m, int n, int k, float alpha,
                   Stored a, Stored b, float beta, Stored c) {
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double aip = transA ? a.get(p, i) : a.get(i, p);
          double bpj = transB ? b.get(j, p) : b.get(p, j);
          sum += aip * bpj;
        }
        out[i * n + j] = (double) alpha * sum + (double) beta * c.get(i, j);
      }
    }
    return out;
  }

  /** A stored row-major matrix inside a larger array, with padding around and between rows. */
  private static final class Stored {
    final float[] data;
    final int off;
    final int ld;
    final int rows;
    final int cols;
    final double maxAbs;

    private Stored(float[] data, int off, int ld, int rows, int cols, double maxAbs) {
      this.data = data;
      this.off = off;
      this.ld = ld;
      this.rows = rows;
      this.cols = cols;
      this.maxAbs = maxAbs;
    }

    static Stored random(SplittableRandom rnd, int off, int rows, int cols, int ld, float padding) {
      float[] data = new float[off + rows * ld + 4];
      Arrays.fill(data, padding);
      double max = 0;
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          float v = (float) (rnd.nextDouble() * 4 - 2);
          data[off + i * ld + j] = v;
          max = Math.max(max, Math.abs(v));
        }
      }
      return new Stored(data, off, ld, rows, cols, max);
    }

    double get(int i, int j) {
      return data[off + i * ld + j];
    }

    void assertPaddingUntouched(float padding) {
      for (int x = 0; x < data.length; x++) {
        int rel = x - off;
        boolean inside = rel >= 0 && rel / ld < rows && rel % ld < cols;
        if (!inside) {
          assertEquals(padding, data[x], "padding at index " + x + " was written");
        }
      }
    }
  }
}
