package org.vidar.train;

/**
 * The best pass of a training loop so far, by a score on held-out videos (higher is better), with
 * a copy of its parameters, and whether the patience has run out since: the early stopping of
 * pre-training (held-out GAP); Stage 1 stops each class on its own ({@link GroupStopping}).
 */
final class BestPass {
  private final int patience;
  private int epoch = -1;
  private double score;
  private double loss;
  private float[][] params;

  BestPass(int patience) {
    this.patience = patience;
  }

  /**
   * Keeps pass {@code e} (its training loss and a copy of {@code p}) if it scores above every
   * earlier one, and says whether it did.
   */
  boolean offer(int e, double s, double trainLoss, float[]... p) {
    if (epoch < 0 || s > score) {
      epoch = e;
      score = s;
      loss = trainLoss;
      params = new float[p.length][];
      for (int i = 0; i < p.length; i++) {
        params[i] = p[i].clone();
      }
      return true;
    }
    return false;
  }

  /** True when {@code patience} passes have gone by since the best one, up to pass {@code e}. */
  boolean patienceSpent(int e) {
    return epoch >= 0 && e - epoch >= patience;
  }

  /** Whether any pass was offered. */
  boolean found() {
    return epoch >= 0;
  }

  /** The best pass's training loss. */
  double loss() {
    return loss;
  }

  /** The best pass's copy of the {@code i}-th parameter array offered. */
  float[] params(int i) {
    return params[i];
  }
}
