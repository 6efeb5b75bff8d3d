package org.vidar.optim;

/** Told after each iteration of an optimizer, with the loss it reached: for progress, never for control. */
@FunctionalInterface
public interface IterationListener {
  /** Tells nobody. */
  IterationListener NONE = (iteration, loss) -> { };

  /** Iteration {@code iteration} (from 1) ended at {@code loss}. */
  void iterationDone(int iteration, double loss);
}
