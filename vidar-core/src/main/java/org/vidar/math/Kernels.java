package org.vidar.math;

/**
 * The door to the dense float kernels: every hot loop in Vidar calls this interface, and
 * {@link KernelProvider} picks the implementation behind it once at start-up.
 *
 * <p>All matrices are float arrays in row-major order with an explicit offset and row stride
 * ({@code ld}, the distance in elements between the starts of two consecutive rows).
 */
public interface Kernels {

  /**
   * A short, stable name of the implementation (for example {@code java} or
   * {@code netlib:JNIBLAS}), to record in a model's provenance: backends do not give
   * bit-identical floats.
   */
  String name();

  /**
   * General matrix multiply, row-major: {@code C = alpha·op(A)·op(B) + beta·C}, where op(A) is
   * m×k, op(B) is k×n and C is m×n. {@code op(X)} is X or its transpose.
   *
   * <p>Stored shapes: A is m×k ({@code transA == false}) or k×m ({@code transA == true}); B is
   * k×n or n×k; C is m×n. As in BLAS, {@code beta == 0} overwrites C (NaNs in C do not
   * propagate) and {@code alpha == 0} or {@code k == 0} leaves A and B unread.
   *
   * @throws IllegalArgumentException if a size is negative, a stride is smaller than its row
   *     width, an offset is negative or an array is too short; the message names the argument
   * @throws NullPointerException if an array is null
   */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
       float beta, float[] c, int cOff, int ldc);
}
