package org.vidar.math;

import java.util.Objects;

/**
 * Checks the arguments once at the public door, then calls a check-free kernel, the way netlib
 * and the JDK's {@code CRC32C} do: implementations only write the kernel and may trust every
 * index it computes.
 */
abstract class CheckedKernels implements Kernels {

  @Override
  public final void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc) {
    requireNonNegative("m", m);
    requireNonNegative("n", n);
    requireNonNegative("k", k);
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(c, "c");
    // Stored shapes (rows × columns) of A and B depend on the transpose flags.
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    checkMatrix("a", a, aOff, "lda", lda, aRows, aCols);
    checkMatrix("b", b, bOff, "ldb", ldb, bRows, bCols);
    checkMatrix("c", c, cOff, "ldc", ldc, m, n);
    if (m == 0 || n == 0) {
      return;
    }
    gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /**
   * The kernel: arguments are valid, {@code m, n >= 1}, and every index
   * {@code off + row·ld + col} inside a stored matrix fits in an int (the door checked it in
   * long against the array's length).
   */
  abstract void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
           float beta, float[] c, int cOff, int ldc);

  private static void requireNonNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
  }

  /** Checks one stored rows×cols matrix; the stride must be at least max(1, cols), as in BLAS. */
  private static void checkMatrix(String array, float[] x, int off, String ldName, int ld,
                  int rows, int cols) {
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(ldName + " must be >= max(1, " + cols
          + ") (the row width of " + array + "), got " + ld);
    }
    if (off < 0) {
      throw new IllegalArgumentException(array + " offset must be >= 0, got " + off);
    }
    // Long arithmetic: (rows - 1) · ld overflows an int for large matrices.
    long needed = rows == 0 || cols == 0 ? 0L : (long) (rows - 1) * ld + cols;
    if ((long) off + needed > x.length) {
      throw new IllegalArgumentException("array " + array + " too short: a " + rows + "×"
          + cols + " matrix at offset " + off + " with " + ldName + " " + ld
          + " needs " + ((long) off + needed) + " elements, has " + x.length);
    }
  }
}
