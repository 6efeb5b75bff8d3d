package org.vidar.tfpeer;

import java.util.SplittableRandom;

/**
 * Normal initial weights with standard deviation 1 / sqrt(fan_in), the starter's DbofModel's
 * {@code tf.random_normal_initializer(stddev=1 / math.sqrt(fan_in))} for its cluster and hidden
 * weights. Drawn in Java from a seeded generator, like {@link GlorotUniform}.
 */
final class ScaledNormal {
  private final SplittableRandom random;

  /** Draws from {@code random}; each call to {@link #matrix} uses the next split stream. */
  ScaledNormal(SplittableRandom random) {
    this.random = random;
  }

  /** A row-major {@code rows x cols} weight matrix (fan_in = rows). */
  float[] matrix(int rows, int cols) {
    SplittableRandom stream = random.split();
    double stddev = 1 / Math.sqrt(rows);
    float[] w = new float[Math.multiplyExact(rows, cols)];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (stream.nextGaussian() * stddev);
    }
    return w;
  }
}
