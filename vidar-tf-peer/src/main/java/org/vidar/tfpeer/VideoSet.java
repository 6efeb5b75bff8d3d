package org.vidar.tfpeer;

import java.util.List;
import java.util.Objects;

/**
 * Videos held in memory for training or scoring: per video its id, its L2-normalised input vector
 * (mean_rgb then mean_audio) and its label indices.
 */
record VideoSet(List<String> ids, float[][] features, int[][] labels, int dimension)
    implements LabelledVideos {

  VideoSet {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (features.length != ids.size() || labels.length != ids.size()) {
      throw new IllegalArgumentException("ids " + ids.size() + ", features " + features.length
          + " and labels " + labels.length + " differ in length");
    }
    ids = List.copyOf(ids);
  }

  @Override
  public int size() {
    return ids.size();
  }
}
