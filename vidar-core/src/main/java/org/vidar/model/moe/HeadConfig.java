package org.vidar.model.moe;

/**
 * How many logistic experts each class's mixture-of-experts head gets when a stage builds fresh
 * heads: a fixed number, or adaptive, growing with the class's positive count up to a cap
 * ({@link ExpertAllocation.AdaptiveRule}); and the L2 penalty they train with.
 *
 * @param adaptive experts grow with positives; else every class has {@code maxExperts}
 * @param maxExperts experts per class (fixed) or the cap (adaptive)
 * @param positivesPerExpert adaptive: one expert per this many positive videos
 * @param l2 L2 penalty λ on head weights (λ/2·‖W‖²), not on biases
 */
public record HeadConfig(boolean adaptive, int maxExperts, int positivesPerExpert, float l2) implements java.io.Serializable {
  /**
   * Stage 1's experts per class (the cap when adaptive). On synth data whose classes have up to 8
   * modes (seed 7, {@code --max-modes 8 --multi-mode-rate 0.5}), 300 classes, heads on the
   * features, 2 cores ({@code TimeToQualityBench}, one run beside TensorFlow's MoE, whose best was
   * 0.8543 in 34.4 s): at 20,000 videos, 8 experts reached GAP 0.8681 in 33.4 s (TensorFlow's best
   * in 12.9 s) and 4 experts 0.8641 in 20.1 s (9.2 s). On the default synth data, 4 reached 0.920
   * in 35 s, 16 0.921 in 114 s, and adaptive (100 positives an expert, capped at 16) 0.908 in 23 s.
   */
  public static final int DEFAULT_EXPERTS = 8;
  /** Adaptive allocation: one expert per this many positive videos. */
  public static final int DEFAULT_POSITIVES_PER_EXPERT = 100;
  /**
   * L2 penalty on head weights, the YouTube-8M starter code's: Stage 1 (4 experts a class, 40 Adam
   * passes, 20,000 videos) reached GAP 0.920 with it and 0.907 with 1e-5.
   */
  public static final float DEFAULT_L2 = 1e-8f;

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

  /**
   * Experts per class for classes with these positive counts: {@code maxExperts} each, or adaptive
   * (at least one, one per {@code positivesPerExpert} positives, at most {@code maxExperts}).
   */
  public ExpertAllocation allocate(long[] positives) {
    if (!adaptive) {
      return ExpertAllocation.fixed(positives.length, maxExperts);
    }
    return ExpertAllocation.adaptive(positives, new ExpertAllocation.AdaptiveRule(positivesPerExpert, 1, maxExperts));
  }
}
