package org.vidar.optim;

/** Why a full-batch minimization stopped. */
public enum StopReason {
  /** The gradient norm fell below the tolerance. */
  GRADIENT_NORM,
  /** The relative change of the loss fell below the tolerance. */
  LOSS_CHANGE,
  /** The iteration budget ran out before any convergence test passed. */
  MAX_ITERATIONS,
  /** No step along the search direction, nor along steepest descent, decreased the loss. */
  LINE_SEARCH_FAILED,
  /** The caller's own test ended it (a held-out loss that stopped improving, say). */
  CALLER;

  /** True for the reasons that mean a convergence test passed. */
  public boolean converged() {
    return this == GRADIENT_NORM || this == LOSS_CHANGE;
  }
}
