package org.vidar.optim;

/**
 * Settings of {@link Lbfgs}: history length, stopping tests, the strong Wolfe constants and the
 * evaluation budget of one line search.
 *
 * @param memory number of (s, y) pairs kept
 * @param maxIterations iteration budget (accepted steps)
 * @param gradientTolerance stop when the gradient's Euclidean norm is at most this
 * @param lossTolerance stop when (E(k) - E(k+1)) / max(|E(k)|, |E(k+1)|, 1) is at most this
 * @param c1 sufficient-decrease constant, 0 &lt; c1 &lt; c2
 * @param c2 curvature constant, c1 &lt; c2 &lt; 1
 * @param maxLineSearchEvaluations evaluations one line search may spend before its fallback
 */
public record LbfgsConfig(int memory, int maxIterations, double gradientTolerance, double lossTolerance,
    double c1, double c2, int maxLineSearchEvaluations) implements java.io.Serializable {

  public LbfgsConfig {
    if (memory < 1) {
      throw new IllegalArgumentException("memory must be at least 1, got " + memory);
    }
    if (maxIterations < 0) {
      throw new IllegalArgumentException("maxIterations must be non-negative, got " + maxIterations);
    }
    if (!(gradientTolerance >= 0) || !(lossTolerance >= 0)) {
      throw new IllegalArgumentException("tolerances must be non-negative, got gradientTolerance=" + gradientTolerance
          + " lossTolerance=" + lossTolerance);
    }
    if (!(c1 > 0 && c1 < c2 && c2 < 1)) {
      throw new IllegalArgumentException("need 0 < c1 < c2 < 1, got c1=" + c1 + " c2=" + c2);
    }
    if (maxLineSearchEvaluations < 2) {
      throw new IllegalArgumentException("maxLineSearchEvaluations must be at least 2, got " + maxLineSearchEvaluations);
    }
  }

  /** Memory 10, c1 1e-4, c2 0.9, 20 evaluations per line search, with the given budget and tolerances. */
  public static LbfgsConfig of(int maxIterations, double gradientTolerance, double lossTolerance) {
    return new LbfgsConfig(10, maxIterations, gradientTolerance, lossTolerance, 1e-4, 0.9, 20);
  }
}
