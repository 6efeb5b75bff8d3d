package org.vidar.synth;

import java.util.Arrays;

/**
 * One generated video: its id, labels, frame features and the true (Bayes-oracle) class
 * probabilities the labels were drawn from, plus the latent seeds for diagnostics. Arrays are owned
 * by the record and must not be modified; equality compares contents.
 *
 * @param index the video's index in the data set
 * @param id YouTube-8M-like id, unique per index (see {@link VideoIds})
 * @param labels positive classes, sorted ascending, distinct
 * @param numFrames number of frames (seconds)
 * @param featureDim width of a frame (rgb block then audio block)
 * @param frames numFrames x featureDim, row-major, every value in [-2, 2]
 * @param probClasses classes with a listed true probability, in descending probability (ties by
 *     ascending class); every class not listed has true probability exactly 0
 * @param probValues the true probabilities of {@code probClasses}, same order
 * @param seedClasses the classes whose modes drove the latent path (not for learners)
 * @param seedModes the mode number within its class of each seed (not for learners)
 */
public record SyntheticVideo(
    long index,
    String id,
    int[] labels,
    int numFrames,
    int featureDim,
    float[] frames,
    int[] probClasses,
    float[] probValues,
    int[] seedClasses,
    int[] seedModes) {

  /** Frame t's features as a new array (for convenience; hot paths read {@link #frames()}). */
  public float[] frame(int t) {
    return Arrays.copyOfRange(frames, t * featureDim, (t + 1) * featureDim);
  }

  /** The video-level features: the mean over frames, as YouTube-8M's mean_rgb and mean_audio. */
  public float[] meanFeatures() {
    double[] sum = new double[featureDim];
    for (int t = 0; t < numFrames; t++) {
      int off = t * featureDim;
      for (int j = 0; j < featureDim; j++) {
        sum[j] += frames[off + j];
      }
    }
    float[] mean = new float[featureDim];
    for (int j = 0; j < featureDim; j++) {
      mean[j] = (float) (sum[j] / numFrames);
    }
    return mean;
  }

  /** The true probability of class k: its listed value, or 0 if it is not listed. */
  public float probability(int k) {
    for (int i = 0; i < probClasses.length; i++) {
      if (probClasses[i] == k) {
        return probValues[i];
      }
    }
    return 0f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SyntheticVideo v
        && index == v.index
        && numFrames == v.numFrames
        && featureDim == v.featureDim
        && id.equals(v.id)
        && Arrays.equals(labels, v.labels)
        && Arrays.equals(frames, v.frames)
        && Arrays.equals(probClasses, v.probClasses)
        && Arrays.equals(probValues, v.probValues)
        && Arrays.equals(seedClasses, v.seedClasses)
        && Arrays.equals(seedModes, v.seedModes);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(index);
    h = 31 * h + id.hashCode();
    h = 31 * h + Arrays.hashCode(labels);
    h = 31 * h + Arrays.hashCode(frames);
    return 31 * h + Arrays.hashCode(probValues);
  }

  @Override
  public String toString() {
    return "SyntheticVideo[" + index + " " + id + ", labels=" + Arrays.toString(labels)
        + ", frames=" + numFrames + "x" + featureDim + ", listed=" + probClasses.length + "]";
  }
}
