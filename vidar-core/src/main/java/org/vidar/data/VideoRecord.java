package org.vidar.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One decoded video: its id, its label indices and its features. Video-level records have one row
 * ({@code numFrames == 1}); frame-level records have one row per frame. Rows are the spec's features
 * concatenated in order, stored row-major in {@code features} ({@code numFrames × dimension}).
 *
 * <p>{@code labelled} is false for a record without the labels key (read under
 * {@link LabelPolicy#OPTIONAL}; its {@code labels} are then empty): an unlabelled video, which is not
 * the same as a labelled video whose label list is empty, and which evaluation must not score.
 */
public record VideoRecord(String id, int[] labels, int numFrames, float[] features, boolean labelled) {
  /** A labelled video. */
  public VideoRecord(String id, int[] labels, int numFrames, float[] features) {
    this(id, labels, numFrames, features, true);
  }

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
        && labelled == r.labelled
        && Arrays.equals(labels, r.labels)
        && Arrays.equals(features, r.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, numFrames, labelled, Arrays.hashCode(labels), Arrays.hashCode(features));
  }

  @Override
  public String toString() {
    return "VideoRecord[id=" + id + ", labels=" + (labelled ? Arrays.toString(labels) : "none (unlabelled)") + ", frames=" + numFrames
        + ", dimension=" + dimension() + "]";
  }
}
