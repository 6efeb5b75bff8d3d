package org.vidar.tfpeer;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * slim.batch_norm (center and scale) over the rows of a [rows, width] input:
 * y = gamma * (x - mean) / sqrt(variance + 0.001) + beta. Training uses the batch's own statistics
 * (the population variance, as tf.nn.moments) and updates moving averages of them,
 * m <- m - (m - batch) * (1 - d); scoring uses the moving averages. The decay d is
 * min(decay, (1 + n) / (10 + n)) after n updates, tf.train.ExponentialMovingAverage's warm-up, so a
 * short run's averages are not dominated by their initial values (mean 0, variance 1); slim itself
 * uses a fixed decay, fine over the starter's hundreds of thousands of steps.
 */
final class BatchNorm {
  private static final float EPSILON = 1e-3f; // slim.batch_norm's default

  private final Variable<TFloat32> gamma;
  private final Variable<TFloat32> beta;
  private final Variable<TFloat32> movingMean;
  private final Variable<TFloat32> movingVariance;
  private Operand<TFloat32> batchMean;
  private Operand<TFloat32> batchVariance;

  private BatchNorm(Variable<TFloat32> gamma, Variable<TFloat32> beta, Variable<TFloat32> movingMean,
      Variable<TFloat32> movingVariance) {
    this.gamma = gamma;
    this.beta = beta;
    this.movingMean = movingMean;
    this.movingVariance = movingVariance;
  }

  /** The variables of a batch norm named {@code name} over {@code width} columns. */
  static BatchNorm create(Ops tf, String name, int width) {
    return new BatchNorm(PeerGraph.ones(tf, name + "_gamma", width), PeerGraph.zeros(tf, name + "_beta", width),
        PeerGraph.zeros(tf, name + "_moving_mean", width), PeerGraph.ones(tf, name + "_moving_variance", width));
  }

  /** gamma and beta, which training updates. */
  List<Variable<TFloat32>> trainable() {
    return List.of(gamma, beta);
  }

  /** Normalises {@code x} by its own column statistics; call once, before {@link #updates}. */
  Operand<TFloat32> train(Ops tf, Operand<TFloat32> x) {
    if (batchMean != null) {
      throw new IllegalStateException("the training path of a batch norm is built once");
    }
    batchMean = tf.math.mean(x, tf.constant(0));
    batchVariance = tf.math.mean(tf.math.square(tf.math.sub(x, batchMean)), tf.constant(0));
    return normalize(tf, x, batchMean, batchVariance);
  }

  /** Normalises {@code x} by the moving averages, for scoring. */
  Operand<TFloat32> infer(Ops tf, Operand<TFloat32> x) {
    return normalize(tf, x, movingMean, movingVariance);
  }

  /** The moving-average updates from the training path's batch statistics, with decay {@code decay}. */
  List<Op> updates(Ops tf, Operand<TFloat32> decay) {
    if (batchMean == null) {
      throw new IllegalStateException("build the training path first");
    }
    Operand<TFloat32> rate = tf.math.sub(tf.constant(1f), decay);
    return List.of(
        tf.assignSub(movingMean, tf.math.mul(tf.math.sub(movingMean, batchMean), rate)),
        tf.assignSub(movingVariance, tf.math.mul(tf.math.sub(movingVariance, batchVariance), rate)));
  }

  // tf.nn.batch_normalization's form: x * inv + (beta - mean * inv), inv = gamma / sqrt(var + eps).
  private Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, Operand<TFloat32> mean,
      Operand<TFloat32> variance) {
    Operand<TFloat32> inv = tf.math.mul(tf.math.rsqrt(tf.math.add(variance, tf.constant(EPSILON))), gamma);
    return tf.math.add(tf.math.mul(x, inv), tf.math.sub(beta, tf.math.mul(mean, inv)));
  }
}
