package org.vidar.tfpeer;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Copies the videos of one batch, in a given order, into TensorFlow tensors: inputs [count, dimension]
 * and multi-hot labels [count, classes]. Reuses its staging arrays between batches.
 */
final class BatchMaker implements BatchSource {
  private final VideoSet videos;
  private final float[] inputs;
  private final MultiHotLabels labels;

  /** Stages batches of at most {@code maxBatch} videos of {@code videos}. */
  BatchMaker(VideoSet videos, int classes, int maxBatch) {
    this.videos = videos;
    this.inputs = new float[Math.multiplyExact(maxBatch, videos.dimension())];
    this.labels = new MultiHotLabels(videos.labels(), classes, maxBatch);
  }

  /** The inputs of videos {@code order[from .. from + count)}; close the tensor after use. */
  @Override
  public TFloat32 inputs(int[] order, int from, int count) {
    int d = videos.dimension();
    for (int i = 0; i < count; i++) {
      System.arraycopy(videos.features()[order[from + i]], 0, inputs, i * d, d);
    }
    return TFloat32.tensorOf(Shape.of(count, d),
        DataBuffers.of(inputs, true, false).narrow((long) count * d));
  }

  /** The multi-hot labels of videos {@code order[from .. from + count)}; close after use. */
  @Override
  public TFloat32 labels(int[] order, int from, int count) {
    return labels.of(order, from, count);
  }
}
