package org.vidar.bench;

import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.vidar.bench.TimeToQualityBench.Point;
import org.vidar.model.VideoModel;

/**
 * Training time for a quality curve: the wall clock from creation less the time spent scoring
 * models on the validation videos, so that a curve's times are training alone.
 */
final class TrainingClock {
  private final long start = System.nanoTime();
  private final ToDoubleFunction<VideoModel> score;
  private long scoring;

  /** A clock whose {@link #score} rates a model by {@code score} (a validation GAP, for one). */
  TrainingClock(ToDoubleFunction<VideoModel> score) {
    this.score = score;
  }

  /** Takes {@code nanos} of scoring done outside {@link #score} off the training time. */
  synchronized void exclude(long nanos) {
    scoring += nanos;
  }

  /** Training seconds so far. */
  synchronized double seconds() {
    return (System.nanoTime() - start - scoring) / 1e9;
  }

  /** Scores {@code model} now, off the clock, and prints the point. */
  synchronized Point score(String label, VideoModel model) {
    long t = System.nanoTime();
    Point p = scoreAt(label, (t - start - scoring) / 1e9, model);
    scoring += System.nanoTime() - t;
    return p;
  }

  /**
   * Scores {@code model} as it was at training time {@code seconds} and prints the point; the
   * caller takes the time this takes off the clock ({@link #exclude}).
   */
  Point scoreAt(String label, double seconds, VideoModel model) {
    double gap = score.applyAsDouble(model);
    System.out.printf(Locale.ROOT, "vidar: %-18s %8.1f s  GAP@20 %.4f%n", label, seconds, gap);
    return new Point(label, seconds, gap);
  }
}
