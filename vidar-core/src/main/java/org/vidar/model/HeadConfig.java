package org.vidar.model;

/**
 * How many logistic experts each class's mixture-of-experts head has: a fixed number, or adaptive,
 * growing with the class's positive count (see {@code ExpertAllocation}) up to a cap.
 *
 * @param adaptive experts grow with positives; else every class has {@code maxExperts}
 * @param maxExperts experts per class (fixed) or the cap (adaptive)
 * @param positivesPerExpert adaptive: one expert per this many positive videos
 * @param l2 L2 penalty λ on head weights (λ/2·‖W‖²), not on biases
 */
public record HeadConfig(boolean adaptive, int maxExperts, int positivesPerExpert, float l2) implements java.io.Serializable {
  public HeadConfig {
    if (maxExperts <= 0) {
      throw new IllegalArgumentException("maxExperts must be positive, got " + maxExperts);
    }
    if (adaptive && positivesPerExpert <= 0) {
      throw new IllegalArgumentException("positivesPerExpert must be positive, got " + positivesPerExpert);
    }
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
    }
  }

  /** Every class with {@code experts} experts. */
  public static HeadConfig fixed(int experts, float l2) {
    return new HeadConfig(false, experts, 1, l2);
  }
}
