package org.vidar.optim;

/**
 * Outcome of a full-batch minimization: the loss at the returned point, the number of iterations
 * (parameter updates), the number of function evaluations and why it stopped.
 */
public record OptimizationResult(double loss, int iterations, int evaluations, StopReason reason) implements java.io.Serializable {

  public OptimizationResult {
    if (iterations < 0 || evaluations < 0) {
      throw new IllegalArgumentException("negative count: iterations=" + iterations + " evaluations=" + evaluations);
    }
    if (reason == null) {
      throw new IllegalArgumentException("reason is null");
    }
  }

  /** True when a convergence test passed (not merely the budget ran out). */
  public boolean converged() {
    return reason.converged();
  }
}
