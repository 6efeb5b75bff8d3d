package org.vidar.report;

/**
 * Per-class AP of a model or a prediction set on labelled videos, and each class's positive videos.
 *
 * @param source where the figures come from (a file, or the videos scored)
 * @param positives each class's positive videos
 * @param ap each class's AP (NaN without positives)
 */
public record ClassAp(String source, long[] positives, double[] ap) {
  public ClassAp {
    if (positives.length != ap.length) {
      throw new IllegalArgumentException(positives.length + " positive counts for " + ap.length + " APs");
    }
  }
}
