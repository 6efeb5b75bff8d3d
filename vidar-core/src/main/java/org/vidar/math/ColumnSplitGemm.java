package org.vidar.math;

/**
 * One sgemm ({@link Kernels#sgemm}) over several threads: C cut into blocks of whole columns, each
 * a GEMM of its own over the same A and a block of B's columns. The blocks depend on the shape and
 * the pool alone ({@link SpareThreads#poolSize}), never on the threads lent for this call, which
 * only share the blocks out: a BLAS does not promise the same floats for a column whichever block
 * holds it (OpenBLAS changes the last bit), so the cut is fixed and the result does not depend on
 * the timing of other tasks. Cutting costs a re-packing of A per block (about 2 % more time for
 * two blocks of 600 columns, 920 rows, depth 1152, on one thread).
 */
public final class ColumnSplitGemm {
  /** Narrower blocks than this are not worth cutting (the kernel's packing dominates). */
  public static final int MIN_BLOCK_COLUMNS = 128;

  private ColumnSplitGemm() {}

  /** Blocks {@link #sgemm} cuts {@code n} columns into for a pool of {@code poolSize} threads. */
  public static int blocks(int n, int poolSize) {
    return Math.max(1, Math.min(poolSize, n / MIN_BLOCK_COLUMNS));
  }

  /**
   * {@code C = alpha·op(A)·op(B) + beta·C} as {@link Kernels#sgemm}, in {@link #blocks} column
   * blocks, run by the calling thread and as many as {@code spare} lends ({@link SpareThreads#share}).
   */
  public static void sgemm(Kernels kernels, SpareThreads spare, boolean transA, boolean transB,
      int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    int blocks = blocks(n, spare.poolSize());
    SpareThreads.share(spare, blocks, q -> {
      int c0 = (int) ((long) n * q / blocks);
      int c1 = (int) ((long) n * (q + 1) / blocks);
      // op(B)'s columns c0..c1: B's columns when B is k×n, its rows when it is stored n×k
      int bBlock = transB ? bOff + c0 * ldb : bOff + c0;
      kernels.sgemm(transA, transB, m, c1 - c0, k, alpha, a, aOff, lda, b, bBlock, ldb, beta, c, cOff + c0, ldc);
    });
  }
}
