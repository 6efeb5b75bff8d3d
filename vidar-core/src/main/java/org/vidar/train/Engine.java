package org.vidar.train;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.vidar.data.FeatureSpec;
import org.vidar.data.batch.DataShard;
import org.vidar.data.batch.FrameSampling;
import org.vidar.math.SpareThreads;
import org.vidar.model.VideoModel;
import org.vidar.train.embedding.EmbeddingPrecision;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * Where the stages' work runs. The stages say what is computed (a sum over each data shard, a
 * task per class group); an engine decides where: threads of this JVM ({@link LocalEngine}) or the
 * executors of a cluster. Tasks and combiners are {@link Serializable} so that a cluster engine can
 * ship them; what they need that is large or not serializable (a model, a parameter vector) they
 * reach through a {@link Shared} handle, which a cluster engine ships once. Results must not
 * depend on the engine beyond floating-point reduction order.
 */
public interface Engine extends AutoCloseable {
  /** Tasks that run at once. */
  int parallelism();

  /**
   * Threads a running task may borrow for one operation at a time when other tasks have left them
   * idle ({@link LocalEngine}); none by default, as on a cluster, whose scheduler owns the cores.
   * Tasks capture it when they are made; it must be serializable.
   */
  default SpareThreads spareThreads() {
    return SpareThreads.NONE;
  }

  /**
   * Runs {@code task} on every data shard and combines the results with {@code combine}, which must
   * be associative (a sum of gradients, say).
   */
  <R> R aggregateShards(ShardTask<R> task, Combine<R> combine);

  /** Runs independent tasks, one per item (a class group, say); results in item order. */
  <T, R> List<R> mapItems(List<T> items, ItemTask<T, R> task);

  /** Makes a model available to tasks until the handle is closed (a cluster engine ships it once). */
  Shared<VideoModel> shareModel(VideoModel model);

  /** Makes an array available to tasks until the handle is closed; the caller must not change it meanwhile. */
  Shared<float[]> shareArray(float[] values);

  /**
   * Every training video's embedding under {@code model}'s trunk, as Stage 1 reads them, stored at
   * {@code precision}: kept in memory by the local engine, written to the job's working directory
   * by a cluster engine, which ships the trunk alone (the pass never reads the heads). With
   * {@code draws > 1}, at the frame level and when the stages read a sample of each video's frames,
   * the table holds {@code draws} embeddings of each video, each of its own frame sample
   * ({@link org.vidar.data.batch.FrameSampling#forDraw}), draw after draw; otherwise one.
   */
  EmbeddingSource embed(VideoModel model, int chunkRows, EmbeddingPrecision precision, int draws);

  /**
   * The embeddings of each video that {@link #embed} makes when asked for {@code draws}: that many at
   * the frame level over a sample of the frames ({@code sampling}), one otherwise.
   */
  static int embeddingDraws(FeatureSpec.Level level, FrameSampling sampling, int draws) {
    return level == FeatureSpec.Level.FRAME && sampling.frames() > 0 ? Math.max(1, draws) : 1;
  }

  /** {@link #embed(VideoModel, int, EmbeddingPrecision, int)}, one draw. */
  default EmbeddingSource embed(VideoModel model, int chunkRows, EmbeddingPrecision precision) {
    return embed(model, chunkRows, precision, 1);
  }

  /**
   * Stage 1 is done with {@code table}, which this engine's {@link #embed} made: an engine that
   * wrote it to files deletes them (one copy of the embeddings per round would otherwise pile up).
   */
  default void discard(EmbeddingSource table) throws IOException {}

  /** {@link #embed(VideoModel, int, EmbeddingPrecision)} in float32. */
  default EmbeddingSource embed(VideoModel model, int chunkRows) {
    return embed(model, chunkRows, EmbeddingPrecision.FLOAT32);
  }

  @Override
  void close();

  /** Work on one shard of the training videos. */
  @FunctionalInterface
  interface ShardTask<R> extends Serializable {
    R apply(DataShard shard);
  }

  /** An associative combination of two shard results. */
  @FunctionalInterface
  interface Combine<R> extends BinaryOperator<R>, Serializable {}

  /** Work on one item. */
  @FunctionalInterface
  interface ItemTask<T, R> extends Function<T, R>, Serializable {}

  /** A value tasks can read wherever they run. */
  interface Shared<T> extends Serializable, AutoCloseable {
    T get();

    /** Releases what the engine holds for it (a broadcast, say). */
    @Override
    void close();
  }
}
