package org.vidar.model;

import java.util.SplittableRandom;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.param.ParameterLayout;

/**
 * The shared part of the model: maps a batch of videos to one embedding row per video, which every
 * class head reads. Immutable and thread-safe; per-thread buffers live in a {@link Scratch}.
 */
public interface Trunk {
  /** Per-thread buffers of a trunk. */
  interface Scratch {}

  /** Values per input row (per video, or per frame). */
  int inputDim();

  /** Width of the embedding. */
  int outputDim();

  /** The tensors of the trunk. */
  ParameterLayout layout();

  void initialize(float[] params, SplittableRandom random);

  /**
   * Buffers for one thread. {@code training} makes batch normalization use batch statistics (and
   * update its running statistics); otherwise it uses the frozen running statistics, so a sum of
   * gradients over shards equals the gradient over all the data.
   */
  Scratch newScratch(boolean training);

  /**
   * After a training-mode forward pass of {@code s}: moves the running statistics of its batch
   * normalizations by that pass's (a forward pass only reads the parameters, so parts of a batch
   * run at once; their statistics are committed afterwards, part by part in a fixed order).
   */
  default void commitStatistics(float[] params, Scratch s) {}

  /** Writes the embeddings [rows × outputDim] of the batch's videos. */
  void forward(float[] params, VideoBatch batch, float[] embedding, Scratch s);

  /** Adds the parameter gradient for {@code dEmbedding} (rows × outputDim) into {@code grad}. */
  void backward(float[] params, VideoBatch batch, float[] dEmbedding, float[] grad, Scratch s);

  /** The trunk a configuration describes, over inputs of {@code inputDim}. */
  static Trunk of(TrunkConfig config, int inputDim) {
    if (config instanceof TrunkConfig.VideoMlp m) {
      return new VideoMlpTrunk(m, inputDim);
    }
    return new DbofTrunk((TrunkConfig.Dbof) config, inputDim);
  }
}
