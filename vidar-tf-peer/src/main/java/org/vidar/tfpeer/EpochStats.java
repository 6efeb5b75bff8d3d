package org.vidar.tfpeer;

import java.util.Locale;

/**
 * One epoch's figures: cumulative training seconds (no loading, no validation scoring), the mean
 * cross-entropy of its batches weighted by batch size, and its training throughput.
 */
record EpochStats(int epoch, double trainSecondsCumulative, double trainLossMean,
    double videosPerSecond) {

  /** The column names of {@link #tsvLine()}. */
  static final String TSV_HEADER =
      "epoch\ttrain_seconds_cumulative\ttrain_loss_mean\tvideos_per_second";

  /** The log.tsv line of this epoch. */
  String tsvLine() {
    return String.format(Locale.ROOT, "%d\t%.3f\t%.6f\t%.1f", epoch, trainSecondsCumulative,
        trainLossMean, videosPerSecond);
  }
}
