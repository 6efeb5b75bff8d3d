package org.vidar.train;

/**
 * The best pass of a training loop so far, by a score on held-out videos (higher is better), with
 * a copy of its parameters, and whether the patience has run out since: the early stopping of
 * pre-training (held-out GAP) and of each Stage 1 class group (held-out loss, negated).
 */
final class BestPass {
  private final int patience;
  private final double tolerance;
  private int epoch = -1;
  /** The last pass that beat the score of the one before it by more than the tolerance, and that score. */
  private int lastGain = -1;
  private double gainScore;
  private double score;
  private double loss;
  private float[][] params;

  BestPass(int patience) {
    this(patience, 0);
  }

  /**
   * Patience counts passes since the last one that raised the score by more than {@code tolerance}
   * times its magnitude (a relative gain); the best pass is still the one with the highest score.
   */
  BestPass(int patience, double tolerance) {
    this.patience = patience;
    this.tolerance = tolerance;
  }

  /**
   * Keeps pass {@code e} (its training loss and a copy of {@code p}) if it scores above every
   * earlier one, and says whether it did; it is a gain, for the patience, when it scores above the
   * last gain by more than the tolerance.
   */
  boolean offer(int e, double s, double trainLoss, float[]... p) {
    if (lastGain < 0 || s - gainScore > tolerance * Math.abs(gainScore)) {
      lastGain = e;
      gainScore = s;
    }
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

  /** True when {@code patience} passes have gone by since the last gain, up to pass {@code e}. */
  boolean patienceSpent(int e) {
    return lastGain >= 0 && e - lastGain >= patience;
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
