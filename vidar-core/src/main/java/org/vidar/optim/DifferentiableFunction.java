package org.vidar.optim;

/**
 * A scalar function of a flat parameter vector that reports its value and full gradient in one call.
 * Full-batch optimizers see only this; engines (local threads, Spark) implement it by summing
 * per-shard gradients, so optimizers know nothing of data, layers or where the sum is computed.
 */
@FunctionalInterface
public interface DifferentiableFunction {

  /**
   * Evaluates the function at {@code x}, overwriting every element of {@code gradient} (same length
   * as {@code x}) with the gradient there. Must not modify {@code x}.
   *
   * @return the loss at {@code x}
   */
  double valueAndGradient(float[] x, float[] gradient);
}
