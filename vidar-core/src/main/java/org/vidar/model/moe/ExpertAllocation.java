package org.vidar.model.moe;

import java.util.Arrays;

/**
 * How many experts each class's Mixture-of-Experts head has, and where each class's experts and
 * gates sit in the concatenated logit vectors of {@link MoeHeads}. Immutable and validated.
 *
 * <p>Class {@code k} owns expert columns {@code [expertOffset(k), expertOffset(k+1))} and gate
 * columns {@code [gateOffset(k), gateOffset(k+1))}: {@code E_k} expert gates followed by one
 * "label absent" gate, so {@code gateOffset(k+1) - gateOffset(k) == E_k + 1}.
 */
public final class ExpertAllocation implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The adaptive rule: {@code E_k = clamp(ceil(positives_k / positivesPerExpert), minExperts,
   * maxExperts)}, so a frequent class gets more experts, a rare (or unseen) class gets
   * {@code minExperts}.
   */
  public record AdaptiveRule(long positivesPerExpert, int minExperts, int maxExperts)
      implements java.io.Serializable {

    public AdaptiveRule {
      if (positivesPerExpert <= 0) {
        throw new IllegalArgumentException("positivesPerExpert must be > 0, got " + positivesPerExpert);
      }
      if (minExperts < 1) {
        throw new IllegalArgumentException("minExperts must be >= 1, got " + minExperts);
      }
      if (maxExperts < minExperts) {
        throw new IllegalArgumentException("maxExperts (" + maxExperts + ") must be >= minExperts ("
            + minExperts + ")");
      }
    }

    /** The number of experts for a class with {@code positives} positive examples. */
    public int experts(long positives) {
      if (positives < 0) {
        throw new IllegalArgumentException("positive count must be >= 0, got " + positives);
      }
      long e = positives / positivesPerExpert + (positives % positivesPerExpert == 0 ? 0 : 1);
      return (int) Math.max(minExperts, Math.min(maxExperts, e));
    }
  }

  private final int[] experts;
  private final int[] expertOffset;
  private final int[] gateOffset;

  private ExpertAllocation(int[] experts) {
    if (experts.length == 0) {
      throw new IllegalArgumentException("an allocation needs at least one class");
    }
    this.experts = experts;
    this.expertOffset = new int[experts.length + 1];
    this.gateOffset = new int[experts.length + 1];
    long e = 0;
    long g = 0;
    for (int k = 0; k < experts.length; k++) {
      if (experts[k] < 1) {
        throw new IllegalArgumentException("class " + k + " has " + experts[k] + " experts, needs >= 1");
      }
      e += experts[k];
      g += experts[k] + 1L;
      // Checked per class so the message names where it overflowed; gates exceed experts first.
      if (g > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("expert allocation overflows an int at class " + k
            + ": " + e + " experts, " + g + " gates (max " + Integer.MAX_VALUE + ")");
      }
      expertOffset[k + 1] = (int) e;
      gateOffset[k + 1] = (int) g;
    }
  }

  /** {@code expertsPerClass} experts for each of {@code numClasses} classes. */
  public static ExpertAllocation fixed(int numClasses, int expertsPerClass) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    int[] e = new int[numClasses];
    Arrays.fill(e, expertsPerClass);
    return new ExpertAllocation(e);
  }

  /** An explicit number of experts per class (copied). */
  public static ExpertAllocation of(int... expertsPerClass) {
    return new ExpertAllocation(expertsPerClass.clone());
  }

  /** The adaptive rule applied to per-class positive counts. */
  public static ExpertAllocation adaptive(long[] positives, AdaptiveRule rule) {
    int[] e = new int[positives.length];
    for (int k = 0; k < positives.length; k++) {
      try {
        e[k] = rule.experts(positives[k]);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("class " + k + ": " + ex.getMessage(), ex);
      }
    }
    return new ExpertAllocation(e);
  }

  /**
   * The allocation of a class group: class {@code i} of the result is class {@code classes[i]}
   * of this allocation (for Stage 1, which trains class groups separately).
   */
  public ExpertAllocation select(int[] classes) {
    int[] e = new int[classes.length];
    for (int i = 0; i < classes.length; i++) {
      int k = classes[i];
      if (k < 0 || k >= experts.length) {
        throw new IllegalArgumentException("class " + k + " at position " + i + " is outside [0, "
            + experts.length + ")");
      }
      e[i] = experts[k];
    }
    return new ExpertAllocation(e);
  }

  /** Number of classes K. */
  public int numClasses() {
    return experts.length;
  }

  /** E_k, the number of experts of class {@code k}. */
  public int experts(int k) {
    return experts[k];
  }

  /** Largest E_k. */
  public int maxExperts() {
    int m = 0;
    for (int e : experts) {
      m = Math.max(m, e);
    }
    return m;
  }

  /** First expert column of class {@code k}; {@code k == numClasses()} gives the total. */
  public int expertOffset(int k) {
    return expertOffset[k];
  }

  /** First gate column of class {@code k}; {@code k == numClasses()} gives the total. */
  public int gateOffset(int k) {
    return gateOffset[k];
  }

  /** Σ E_k; the constructor has checked it fits an int. */
  public int totalExperts() {
    return expertOffset[experts.length];
  }

  /** Σ (E_k + 1); the constructor has checked it fits an int. */
  public int totalGates() {
    return gateOffset[experts.length];
  }

  /** A copy of E_k for all classes. */
  public int[] expertsPerClass() {
    return experts.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExpertAllocation a && Arrays.equals(experts, a.experts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(experts);
  }

  @Override
  public String toString() {
    return "ExpertAllocation[K=" + experts.length + ", experts=" + totalExperts() + ", gates="
        + totalGates() + ", max=" + maxExperts() + "]";
  }
}
