package org.vidar.math;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Plain-Java kernels: the scalar default used when no native BLAS is present, and the reference
 * the fast path is measured against. The inner loop is a contiguous {@code c[j] += a·b[j]}, which
 * HotSpot's C2 turns into SIMD instructions on its own.
 */
public final class JavaKernels extends CheckedKernels {

  /** Columns of C per block: a 2 KiB stripe of one C row stays in L1 across the k loop. */
  private static final int NC = 512;
  /** Depth per block: a KC×NC block of B (256 KiB) stays in L2 while every row of C uses it. */
  private static final int KC = 128;
  /** Below this many multiply-adds the fork/join overhead outweighs a second core. */
  private static final long PARALLEL_MIN_MULTIPLY_ADDS = 1L << 20;
  /** Rows of C per task, at least: fewer rows re-stream the B block for too little work. */
  private static final int MIN_ROWS_PER_TASK = 8;

  private final ForkJoinPool pool;

  /** Kernels that run large products on the common fork/join pool. */
  public JavaKernels() {
    this(ForkJoinPool.commonPool());
  }

  /** Kernels that run large products on {@code pool}. */
  public JavaKernels(ForkJoinPool pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
       float beta, float[] c, int cOff, int ldc) {
    boolean readsAB = k > 0 && alpha != 0f;
    if (readsAB && transB) {
      // op(B) = Bᵀ would make the inner loop strided; one k×n copy costs O(k·n) against
      // O(m·n·k) multiply-adds and lets every case share the contiguous inner loop.
      b = transpose(b, bOff, ldb, n, k);
      bOff = 0;
      ldb = n;
    }
    long multiplyAdds = (long) m * n * k;
    int maxTasks = m / MIN_ROWS_PER_TASK;
    int parallelism = pool.getParallelism() + 1; // the caller works too
    if (multiplyAdds < PARALLEL_MIN_MULTIPLY_ADDS || maxTasks < 2 || parallelism < 2) {
      rows(0, m, transA, readsAB, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    // A few tasks per thread so one slow thread (the machine is shared) does not hold up the rest.
    int tasks = Math.min(maxTasks, 4 * parallelism);
    List<RecursiveAction> actions = new ArrayList<>(tasks);
    for (int t = 0; t < tasks; t++) {
      int r0 = (int) ((long) m * t / tasks);
      int r1 = (int) ((long) m * (t + 1) / tasks);
      float[] bb = b;
      int bo = bOff;
      int lb = ldb;
      actions.add(new RecursiveAction() {
        @Override
        protected void compute() {
          rows(r0, r1, transA, readsAB, n, k, alpha, a, aOff, lda, bb, bo, lb,
              beta, c, cOff, ldc);
        }
      });
    }
    if (pool == ForkJoinPool.commonPool() || ForkJoinTask.inForkJoinPool()) {
      // From outside a pool, invokeAll forks into the common pool and the caller runs
      // tasks too: on 2 cores the common pool has a single worker, so the caller is the
      // second core.
      ForkJoinTask.invokeAll(actions);
    } else {
      pool.invoke(new RecursiveAction() {
        @Override
        protected void compute() {
          ForkJoinTask.invokeAll(actions);
        }
      });
    }
  }

  /** Rows [r0, r1) of C; op(B) is k×n row-major here (no transpose left). */
  private static void rows(int r0, int r1, boolean transA, boolean readsAB, int n, int k,
              float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
              int ldb, float beta, float[] c, int cOff, int ldc) {
    scale(r0, r1, n, beta, c, cOff, ldc);
    if (!readsAB) {
      return;
    }
    // op(A)[i][p] = a[aOff + i·ai + p·ap] whether or not A is stored transposed.
    int ai = transA ? 1 : lda;
    int ap = transA ? lda : 1;
    // i-k-j order, blocked over j and k: the innermost loop walks rows of B and one row of C
    // contiguously, so C2 vectorizes it; A contributes scalars. Four values of k per pass load
    // and store the C row a quarter as often (measured 1.3-1.8× over one k per pass on Zen 3).
    for (int jb = 0; jb < n; jb += NC) {
      int je = Math.min(n, jb + NC);
      for (int pb = 0; pb < k; pb += KC) {
        int pe = Math.min(k, pb + KC);
        for (int i = r0; i < r1; i++) {
          int ci = cOff + i * ldc;
          int arow = aOff + i * ai;
          int p = pb;
          for (; p + 3 < pe; p += 4) {
            float a0 = alpha * a[arow + p * ap];
            float a1 = alpha * a[arow + (p + 1) * ap];
            float a2 = alpha * a[arow + (p + 2) * ap];
            float a3 = alpha * a[arow + (p + 3) * ap];
            int b0 = bOff + p * ldb;
            int b1 = b0 + ldb;
            int b2 = b1 + ldb;
            int b3 = b2 + ldb;
            for (int j = jb; j < je; j++) {
              c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
          }
          for (; p < pe; p++) {
            float aip = alpha * a[arow + p * ap];
            int bp = bOff + p * ldb;
            for (int j = jb; j < je; j++) {
              c[ci + j] += aip * b[bp + j];
            }
          }
        }
      }
    }
  }

  /** C ← beta·C on rows [r0, r1); beta = 0 overwrites, so NaNs in C do not leak (BLAS semantics). */
  static void scale(int r0, int r1, int n, float beta, float[] c, int cOff, int ldc) {
    if (beta == 1f) {
      return;
    }
    for (int i = r0; i < r1; i++) {
      int ci = cOff + i * ldc;
      if (beta == 0f) {
        Arrays.fill(c, ci, ci + n, 0f);
      } else {
        for (int j = 0; j < n; j++) {
          c[ci + j] *= beta;
        }
      }
    }
  }

  /** The transpose of the stored n×k matrix B: a dense k×n array. */
  private static float[] transpose(float[] b, int bOff, int ldb, int n, int k) {
    // n·k <= b.length: the door checked (n-1)·ldb + k <= b.length with ldb >= k.
    float[] t = new float[n * k];
    for (int j = 0; j < n; j++) {
      int bj = bOff + j * ldb;
      for (int p = 0; p < k; p++) {
        t[p * n + j] = b[bj + p];
      }
    }
    return t;
  }
}
