package org.vidar.optim;

/**
 * Hyper-parameters of {@link Adam}: step size, moment decay rates, the denominator's epsilon and a
 * decoupled weight decay (0 turns it off).
 */
public record AdamConfig(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) implements java.io.Serializable {

  public AdamConfig {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be positive and finite, got " + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weightDecay must be non-negative and finite, got " + weightDecay);
    }
  }

  /** Kingma & Ba's defaults (beta1 0.9, beta2 0.999, epsilon 1e-8) with this learning rate, no decay. */
  public static AdamConfig of(double learningRate) {
    return new AdamConfig(learningRate, 0.9, 0.999, 1e-8, 0.0);
  }
}
