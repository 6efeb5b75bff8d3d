package org.vidar.train;

import java.util.Arrays;

/**
 * Early stopping of each class of a Stage 1 group on its own held-out loss: a class's heads touch
 * no other class's loss, so each keeps its own best pass and its own patience, and a class that
 * stops improving does not hold back (or get pulled along by) the classes it happens to share a
 * group with. The grouping is then a matter of scheduling alone.
 *
 * <p>For each class, pass {@code e} is its new best when its held-out loss is below every earlier
 * pass's; it is a gain, for the patience, when it falls below the last gain's loss by more than
 * the tolerance times that loss's magnitude; the class is done once {@code patience} passes have
 * gone by since its last gain. A done class takes no more offers.
 */
final class ClassStopping {
  private final int patience;
  private final double tolerance;
  private final double[] best;
  private final int[] bestPass;
  private final double[] gainLoss;
  private final int[] lastGain;
  private final boolean[] done;
  private int remaining;

  ClassStopping(int classes, int patience, double tolerance) {
    if (classes < 0 || patience < 1 || !(tolerance >= 0)) {
      throw new IllegalArgumentException("classes " + classes + ", patience " + patience + ", tolerance " + tolerance);
    }
    this.patience = patience;
    this.tolerance = tolerance;
    best = new double[classes];
    bestPass = new int[classes];
    gainLoss = new double[classes];
    lastGain = new int[classes];
    done = new boolean[classes];
    Arrays.fill(bestPass, -1);
    Arrays.fill(lastGain, -1);
    remaining = classes;
  }

  /**
   * Offers pass {@code e}'s held-out loss of every class ({@code heldLoss[k]}, any scale common to
   * the pass); sets {@code improved[k]} when it is class k's new best. Classes already done are
   * skipped (never improved); a class becomes done here when its patience runs out.
   */
  void offer(int e, double[] heldLoss, boolean[] improved) {
    for (int k = 0; k < done.length; k++) {
      improved[k] = false;
      if (done[k]) {
        continue;
      }
      double loss = heldLoss[k];
      if (lastGain[k] < 0 || gainLoss[k] - loss > tolerance * Math.abs(gainLoss[k])) {
        lastGain[k] = e;
        gainLoss[k] = loss;
      }
      if (bestPass[k] < 0 || loss < best[k]) {
        bestPass[k] = e;
        best[k] = loss;
        improved[k] = true;
      }
      if (e - lastGain[k] >= patience) {
        done[k] = true;
        remaining--;
      }
    }
  }

  boolean done(int k) {
    return done[k];
  }

  /** Whether every class is done. */
  boolean allDone() {
    return remaining == 0;
  }

  /** The pass of class {@code k}'s lowest held-out loss, or -1 before any offer. */
  int bestPass(int k) {
    return bestPass[k];
  }
}
