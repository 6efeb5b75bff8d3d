package org.vidar.train;

import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Where the stages' work runs. The stages say what is computed (a sum over each data shard, a
 * task per class group); an engine decides where: threads of this JVM ({@link LocalEngine}) or the
 * executors of a cluster. Results must not depend on the engine beyond floating-point reduction
 * order.
 */
public interface Engine extends AutoCloseable {
  /** Tasks that run at once. */
  int parallelism();

  /**
   * Runs {@code task} on every data shard and combines the results with {@code combine}, which must
   * be associative (a sum of gradients, say).
   */
  <R> R aggregateShards(ShardTask<R> task, BinaryOperator<R> combine);

  /** Runs independent tasks, one per item (a class group, say); results in item order. */
  <T, R> List<R> mapItems(List<T> items, Function<T, R> task);

  @Override
  void close();

  /** Work on one shard of the training videos. */
  @FunctionalInterface
  interface ShardTask<R> {
    R apply(DataShard shard);
  }
}
