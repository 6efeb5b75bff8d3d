package org.vidar.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ColumnSplitGemm}: for every transpose, with offsets, strides wider than the rows and
 * beta ≠ 0, C is the product (as one {@link Kernels#sgemm} gives it, to float rounding), bit for
 * bit the same however many threads are lent for the call; with no pool it is one sgemm; it gives
 * back all it takes.
 */
class ColumnSplitGemmTest {

  /** Lends up to {@code pool} threads and counts what is out. */
  static final class Lender implements SpareThreads {
    final int pool;
    final AtomicInteger free;
    int largestGrant;

    /** A pool of {@code pool} threads, {@code free} of them idle. */
    Lender(int pool, int free) {
      this.pool = pool;
      this.free = new AtomicInteger(free);
    }

    @Override
    public int poolSize() {
      return pool;
    }

    @Override
    public synchronized int take(int most) {
      int granted = Math.min(most, free.get());
      free.addAndGet(-granted);
      largestGrant = Math.max(largestGrant, granted);
      return granted;
    }

    @Override
    public synchronized void giveBack(int count) {
      free.addAndGet(count);
    }
  }

  @ParameterizedTest
  @CsvSource({"false,false", "true,false", "false,true", "true,true"})
  void columnBlocksGiveTheSameProductBitForBit(boolean transA, boolean transB) {
    for (Kernels kernels : new Kernels[] {KernelProvider.get(), new JavaKernels()}) {
      int m = 37;
      int n = 3 * ColumnSplitGemm.MIN_BLOCK_COLUMNS + 19;
      int k = 53;
      int lda = (transA ? m : k) + 3;
      int ldb = (transB ? k : n) + 5;
      int ldc = n + 2;
      SplittableRandom r = new SplittableRandom(11);
      float[] a = random(r, 4 + (transA ? k : m) * lda);
      float[] b = random(r, 7 + (transB ? n : k) * ldb);
      float[] c0 = random(r, 2 + m * ldc);
      float[] whole = c0.clone();
      kernels.sgemm(transA, transB, m, n, k, 0.75f, a, 4, lda, b, 7, ldb, 0.5f, whole, 2, ldc);
      float[] none = c0.clone();
      ColumnSplitGemm.sgemm(kernels, SpareThreads.NONE, transA, transB, m, n, k, 0.75f, a, 4, lda, b, 7, ldb, 0.5f,
          none, 2, ldc);
      assertArrayEquals(whole, none, kernels.name() + ": no pool, one sgemm");
      for (int pool = 2; pool <= 4; pool++) {
        float[] alone = null;
        for (int idle = 0; idle < pool; idle++) {
          Lender lender = new Lender(pool, idle);
          float[] split = c0.clone();
          ColumnSplitGemm.sgemm(kernels, lender, transA, transB, m, n, k, 0.75f, a, 4, lda, b, 7, ldb, 0.5f, split, 2,
              ldc);
          String what = kernels.name() + ", pool " + pool + ", " + idle + " idle";
          if (alone == null) {
            alone = split;
            for (int i = 0; i < whole.length; i++) {
              assertEquals(whole[i], split[i], 1e-5f * Math.max(1, Math.abs(whole[i])), what + ", element " + i);
            }
          } else {
            assertArrayEquals(alone, split, what + ": the same floats as with no thread lent");
          }
          assertEquals(idle, lender.free.get(), what + ": every thread taken is given back");
          int blocks = ColumnSplitGemm.blocks(n, pool);
          assertEquals(Math.min(idle, Math.min(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
              blocks - 1)), lender.largestGrant, what + ": threads used");
        }
      }
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }
}
