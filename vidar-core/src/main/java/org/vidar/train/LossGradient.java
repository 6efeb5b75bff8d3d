package org.vidar.train;

/**
 * A loss and gradient summed over some videos, with the count, as a worker returns it for one
 * shard, and the loss summed over held-out videos that the gradient leaves out, with their count;
 * {@link #plus} combines two, so an engine can reduce them in any tree.
 */
public record LossGradient(double loss, float[] gradient, long videos, double heldOutLoss, long heldOutVideos)
    implements java.io.Serializable {
  /** Without held-out videos. */
  public LossGradient(double loss, float[] gradient, long videos) {
    this(loss, gradient, videos, 0, 0);
  }

  /** The sum of two partial results (reuses this one's array). */
  public LossGradient plus(LossGradient other) {
    float[] g = gradient;
    float[] o = other.gradient;
    if (g.length != o.length) {
      throw new IllegalArgumentException("gradients of " + g.length + " and " + o.length + " values");
    }
    for (int i = 0; i < g.length; i++) {
      g[i] += o[i];
    }
    return new LossGradient(loss + other.loss, g, videos + other.videos, heldOutLoss + other.heldOutLoss,
        heldOutVideos + other.heldOutVideos);
  }
}
