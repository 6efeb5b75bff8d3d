package org.vidar.math;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Threads of a pool that no task is using, lent to a running task one operation at a time: when
 * the tasks of a stage end at different times, the ones still running take the cores the others
 * left (a GEMM cut into column blocks, say) instead of leaving them idle. A borrower takes what it
 * is granted, runs one operation over that many more threads, and gives them back.
 *
 * <p>What is computed must not depend on what was granted: borrowers cut their work into the same
 * pieces whatever they are lent (at most {@link #poolSize} of them), and the lent threads only
 * share the pieces out.
 */
public interface SpareThreads extends java.io.Serializable {
  /** The threads of the pool, the borrower's own included: the most pieces worth cutting work into. */
  int poolSize();

  /** Takes up to {@code most} spare threads; returns how many were taken (0 when none are spare). */
  int take(int most);

  /** Gives back {@code count} threads taken by {@link #take}. */
  void giveBack(int count);

  /**
   * Runs {@code piece} for 0 to {@code pieces - 1}, in runs of consecutive pieces, on the calling
   * thread and as many threads as {@code spare} lends for the call (no more than the common
   * ForkJoin pool has, nor than pieces less one), giving them back at the end. A piece must compute the same
   * whichever thread runs it. (Static, not a default method: a default method would make the
   * interface initialize with {@link None}, and a task shipped with {@code NONE} would then find
   * {@code NONE} null on an executor that loads the enum first.)
   */
  static void share(SpareThreads spare, int pieces, IntConsumer piece) {
    int extra = pieces > 1 ? spare.take(Math.min(ForkJoinPool.getCommonPoolParallelism(), pieces - 1)) : 0;
    if (extra == 0) {
      for (int q = 0; q < pieces; q++) {
        piece.accept(q);
      }
      return;
    }
    try {
      int parts = extra + 1;
      List<RecursiveAction> runs = new ArrayList<>(parts);
      for (int p = 0; p < parts; p++) {
        int first = pieces * p / parts;
        int end = pieces * (p + 1) / parts;
        runs.add(new RecursiveAction() {
          @Override
          protected void compute() {
            for (int q = first; q < end; q++) {
              piece.accept(q);
            }
          }
        });
      }
      ForkJoinTask.invokeAll(runs);
    } finally {
      spare.giveBack(extra);
    }
  }

  /** Never any to spare: for engines whose scheduler owns the cores (a cluster's executors). */
  SpareThreads NONE = None.INSTANCE;

  /** {@link #NONE}'s class (an enum, so that it stays a singleton when a task is shipped). */
  enum None implements SpareThreads {
    INSTANCE;

    @Override
    public int poolSize() {
      return 1;
    }

    @Override
    public int take(int most) {
      return 0;
    }

    @Override
    public void giveBack(int count) {
      if (count != 0) {
        throw new IllegalStateException("gave back " + count + " threads, none were lent");
      }
    }
  }
}
