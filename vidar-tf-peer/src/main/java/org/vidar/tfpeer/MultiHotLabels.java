package org.vidar.tfpeer;

import java.util.Arrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Stages the multi-hot labels of a batch of videos, [count, classes], reusing one array. */
final class MultiHotLabels {
  private final int[][] labels;
  private final int classes;
  private final float[] staged;

  /** Stages batches of at most {@code maxBatch} of the videos whose label indices are {@code labels}. */
  MultiHotLabels(int[][] labels, int classes, int maxBatch) {
    this.labels = labels;
    this.classes = classes;
    this.staged = new float[Math.multiplyExact(maxBatch, classes)];
  }

  /** The labels of videos {@code order[from .. from + count)}; close the tensor after use. */
  TFloat32 of(int[] order, int from, int count) {
    Arrays.fill(staged, 0, count * classes, 0f);
    for (int i = 0; i < count; i++) {
      for (int label : labels[order[from + i]]) {
        staged[i * classes + label] = 1f;
      }
    }
    return TFloat32.tensorOf(Shape.of(count, classes),
        DataBuffers.of(staged, true, false).narrow((long) count * classes));
  }
}
