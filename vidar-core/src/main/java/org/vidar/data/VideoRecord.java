package org.vidar.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One decoded video: its id, its label indices and its features. Video-level records have one row
 * ({@code numFrames == 1}); frame-level records have one row per frame. Rows are the spec's features
 * concatenated in order, stored row-major in {@code features} ({@code numFrames × dimension}).
 */
public record VideoRecord(String id, int[] labels, int numFrames, float[] features) {
  public VideoRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(features, "features");
    if (numFrames <= 0 || features.length % numFrames != 0) {
      throw new IllegalArgumentException(
          "video " + Excerpt.of(id) + ": " + features.length + " values do not split into " + numFrames + " frames");
    }
  }

  /** Values per frame. */
  public int dimension() {
    return features.length / numFrames;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VideoRecord r
        && id.equals(r.id)
        && numFrames == r.numFrames
        && Arrays.equals(labels, r.labels)
        && Arrays.equals(features, r.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, numFrames, Arrays.hashCode(labels), Arrays.hashCode(features));
  }

  @Override
  public String toString() {
    return "VideoRecord[id=" + id + ", labels=" + Arrays.toString(labels) + ", frames=" + numFrames
        + ", dimension=" + dimension() + "]";
  }
}
