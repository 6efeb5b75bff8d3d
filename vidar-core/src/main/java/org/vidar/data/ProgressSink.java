package org.vidar.data;

/**
 * Where long work says how far it has come: a step begins with its total, units are reported as
 * they are done, an iterative optimizer reports its iterations, a cluster its tasks. Loops call it
 * at batch or chunk granularity, from any thread, so an implementation must be thread-safe and
 * cheap; {@link #NONE}, the default everywhere, ignores every call. It lives in the lowest package
 * because loading and scoring report through it as well as training.
 */
public interface ProgressSink {
  /** Reports nowhere. */
  ProgressSink NONE = new ProgressSink() {};

  /**
   * Step {@code step} begins (and the one before it, if any, is over): {@code total} units of
   * {@code unit} ("videos", "bytes", "groups"), or {@code total <= 0} when it is not known.
   */
  default void begin(String step, long total, String unit) {}

  /** {@code units} more units of the current step are done. */
  default void advance(long units) {}

  /**
   * The current step's optimizer finished iteration {@code iteration} ({@code what}: "L-BFGS
   * iteration", say) at {@code loss}, NaN when it has none to tell.
   */
  default void iteration(String what, long iteration, double loss) {}

  /**
   * Part of the current step runs on a cluster: {@code done} of the {@code total} tasks of its stage
   * {@code stage} ended ({@code done == total}: the stage is over).
   */
  default void tasks(String stage, int done, int total) {}

  /** The current step is over. */
  default void end() {}
}
