package org.vidar.spark;

import java.io.Serializable;
import org.vidar.train.LossGradient;

/**
 * {@link LossGradient} as it travels between executors and driver (the core record is not
 * {@link Serializable}): loss and trunk gradient summed over some videos, and their count.
 */
public record GradientSum(double loss, float[] gradient, long videos) implements Serializable {

  public static GradientSum of(LossGradient g) {
    return new GradientSum(g.loss(), g.gradient(), g.videos());
  }

  public LossGradient toLossGradient() {
    return new LossGradient(loss, gradient, videos);
  }

  /** The sum of two partial results (reuses this one's array, as MLlib's aggregators merge). */
  public GradientSum plus(GradientSum other) {
    return of(toLossGradient().plus(other.toLossGradient()));
  }
}
