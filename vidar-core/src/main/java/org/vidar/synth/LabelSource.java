package org.vidar.synth;

/**
 * What a synthetic video's true label probabilities are computed from: the mean latent zbar, or
 * the latent path z_t over time, so that a short segment where a class shows strongly labels the
 * video even when the mean dilutes it. See {@link LatentVideoModel}.
 */
public enum LabelSource {
  /** p_k from u_{k,m} . zbar: frames carry nothing about the labels beyond their mean. */
  MEAN(30, 0.45),
  /**
   * p_k from max over t of the {@link LatentVideoModel#SEGMENT_WINDOW}-frame moving average of
   * u_{k,m} . z_t: labels depend on when things happen, and the mean features lose information.
   */
  SEGMENTS(16, 0.8);

  private final double defaultSharpness;
  private final double defaultThreshold;

  LabelSource(double defaultSharpness, double defaultThreshold) {
    this.defaultSharpness = defaultSharpness;
    this.defaultThreshold = defaultThreshold;
  }

  /** beta when none is given: calibrated so that K = 300 gives about 3 labels per video. */
  public double defaultSharpness() {
    return defaultSharpness;
  }

  /** theta when none is given: calibrated with {@link #defaultSharpness()}. */
  public double defaultThreshold() {
    return defaultThreshold;
  }
}
