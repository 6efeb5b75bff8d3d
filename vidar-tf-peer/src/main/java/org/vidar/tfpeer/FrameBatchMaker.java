package org.vidar.tfpeer;

import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Stages frame-level batches: for each video, {@code sampleFrames} frames drawn uniformly with
 * replacement (the starter code's SampleRandomFrames: index = floor(u * num_frames), u uniform in
 * [0, 1)), each dequantized and L2-normalised over its 1152 features, as the starter's
 * {@code tf.nn.l2_normalize(model_input_raw, 2)} does. Inputs are [count * sampleFrames, dimension],
 * video-major. The draws come from the generator given at construction, in batch order.
 */
final class FrameBatchMaker implements BatchSource {
  // YouTube-8M's reader-side dequantization with the starter's constants, as vidar-core's
  // Quantization: x = q * (4 / 255) + (4 / 512 - 2).
  private static final float SCALE = 4f / 255f;
  private static final float BIAS = 4f / 512f - 2f;
  private static final float[] DEQUANTIZED = new float[256];
  // tf.nn.l2_normalize's default epsilon: x / sqrt(max(sum(x^2), 1e-12)).
  private static final double NORM_EPSILON = 1e-12;

  static {
    for (int q = 0; q < 256; q++) {
      DEQUANTIZED[q] = q * SCALE + BIAS;
    }
  }

  private final FrameSet videos;
  private final int sampleFrames;
  private final SplittableRandom random;
  private final float[] inputs;
  private final MultiHotLabels labels;

  /** Stages batches of at most {@code maxBatch} videos, drawing frames from {@code random}. */
  FrameBatchMaker(FrameSet videos, int classes, int maxBatch, int sampleFrames, SplittableRandom random) {
    this.videos = videos;
    this.sampleFrames = sampleFrames;
    this.random = random;
    this.inputs = new float[Math.multiplyExact(Math.multiplyExact(maxBatch, sampleFrames), videos.dimension())];
    this.labels = new MultiHotLabels(videos.labels(), classes, maxBatch);
  }

  /** The dequantized byte {@code q}. */
  static float dequantize(byte q) {
    return DEQUANTIZED[q & 0xff];
  }

  @Override
  public TFloat32 inputs(int[] order, int from, int count) {
    int d = videos.dimension();
    int row = 0;
    for (int i = 0; i < count; i++) {
      int video = order[from + i];
      byte[] frames = videos.frames()[video];
      int n = videos.frameCounts()[video];
      for (int s = 0; s < sampleFrames; s++, row++) {
        int frame = (int) (random.nextDouble() * n);
        int src = frame * d;
        int dst = row * d;
        double sum = 0;
        for (int j = 0; j < d; j++) {
          float x = DEQUANTIZED[frames[src + j] & 0xff];
          inputs[dst + j] = x;
          sum += (double) x * x;
        }
        float scale = (float) (1.0 / Math.sqrt(Math.max(sum, NORM_EPSILON)));
        for (int j = 0; j < d; j++) {
          inputs[dst + j] *= scale;
        }
      }
    }
    long size = (long) row * d;
    return TFloat32.tensorOf(Shape.of(row, d), DataBuffers.of(inputs, true, false).narrow(size));
  }

  @Override
  public TFloat32 labels(int[] order, int from, int count) {
    return labels.of(order, from, count);
  }
}
