package org.vidar.tfpeer;

import java.util.SplittableRandom;

/**
 * Glorot (Xavier) uniform initial weights, slim.fully_connected's default in the starter code:
 * w ~ U(-a, a) with a = sqrt(6 / (fan_in + fan_out)). Drawn in Java from a seeded generator, so a run
 * starts from the same weights whatever TensorFlow's own random ops do.
 */
final class GlorotUniform {
  private final SplittableRandom random;

  /** Draws from {@code random}; each call to {@link #matrix} uses the next split stream. */
  GlorotUniform(SplittableRandom random) {
    this.random = random;
  }

  /** A row-major {@code rows x cols} weight matrix (fan_in = rows, fan_out = cols). */
  float[] matrix(int rows, int cols) {
    SplittableRandom stream = random.split();
    double limit = Math.sqrt(6.0 / (rows + (double) cols));
    float[] w = new float[Math.multiplyExact(rows, cols)];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) ((stream.nextDouble() * 2 - 1) * limit);
    }
    return w;
  }
}
