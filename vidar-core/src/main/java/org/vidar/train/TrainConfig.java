package org.vidar.train;

import org.vidar.model.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;

/**
 * How the paper's pipeline trains: joint pre-training with mini-batch Adam and small heads, then
 * {@code rounds} of Stage 1 (trunk frozen, fresh large heads trained per class group with L-BFGS
 * over all videos) and Stage 2 (heads frozen, trunk fine-tuned by full-batch iRprop+).
 *
 * @param seed splits into one random stream per stage, round, class and shard
 * @param pretrainEpochs passes over the data in pre-training (0 skips it: the trunk stays at its initialization)
 * @param batchSize pre-training mini-batch size
 * @param adam pre-training optimizer
 * @param pretrainHeads the small heads of pre-training
 * @param rounds alternating rounds of Stage 1 and Stage 2
 * @param heads the large heads of Stage 1
 * @param headGroups class groups of Stage 1 (a property of the model, not of the cluster, so one
 *     worker and many give the same model)
 * @param lbfgs Stage 1's optimizer, per class group
 * @param trunkSteps Stage 2's iRprop+ iterations
 * @param irprop Stage 2's optimizer
 * @param trunkL2 L2 penalty on trunk weights in Stage 2 and pre-training
 * @param chunkRows videos per batch inside full-batch passes (memory, not math)
 * @param embeddingPrecision how Stage 1's embedding table is stored (float32 exact; float16 and
 *     bfloat16 halve it, and the heads train on the rounded embeddings)
 * @param trunkFraction Stage 2: the fraction of videos each iRprop+ step sums its gradient over, a
 *     fresh random subset per step chosen by video id (1 is the full batch; below 1 is the paper's
 *     very-large-batch variant, an approximation)
 * @param continueHeads Stage 1 starts from the heads the model has when their experts per class
 *     match (rounds after the first), rather than from fresh heads
 */
public record TrainConfig(
    long seed,
    int pretrainEpochs,
    int batchSize,
    AdamConfig adam,
    HeadConfig pretrainHeads,
    int rounds,
    HeadConfig heads,
    int headGroups,
    LbfgsConfig lbfgs,
    int trunkSteps,
    IRpropConfig irprop,
    float trunkL2,
    int chunkRows,
    EmbeddingPrecision embeddingPrecision,
    double trunkFraction,
    boolean continueHeads) implements java.io.Serializable {
  public TrainConfig {
    if (pretrainEpochs < 0 || rounds < 0 || trunkSteps < 0) {
      throw new IllegalArgumentException("epochs, rounds and steps must be >= 0");
    }
    if (batchSize <= 0 || headGroups <= 0 || chunkRows <= 0) {
      throw new IllegalArgumentException("batchSize, headGroups and chunkRows must be positive");
    }
    if (!(trunkL2 >= 0)) {
      throw new IllegalArgumentException("trunkL2 must be >= 0, got " + trunkL2);
    }
    if (adam == null || pretrainHeads == null || heads == null || lbfgs == null || irprop == null
        || embeddingPrecision == null) {
      throw new IllegalArgumentException("optimizer, head and embedding settings must be set");
    }
    if (!(trunkFraction > 0 && trunkFraction <= 1)) {
      throw new IllegalArgumentException("trunkFraction must be in (0, 1], got " + trunkFraction);
    }
  }

  /** The paper's defaults for the options after {@code chunkRows}: float32 embeddings, full batches, fresh heads. */
  public TrainConfig(long seed, int pretrainEpochs, int batchSize, AdamConfig adam, HeadConfig pretrainHeads,
      int rounds, HeadConfig heads, int headGroups, LbfgsConfig lbfgs, int trunkSteps, IRpropConfig irprop,
      float trunkL2, int chunkRows) {
    this(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs, trunkSteps, irprop,
        trunkL2, chunkRows, EmbeddingPrecision.FLOAT32, 1.0, false);
  }

  public TrainConfig withEmbeddingPrecision(EmbeddingPrecision precision) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, precision, trunkFraction, continueHeads);
  }

  public TrainConfig withTrunkFraction(double fraction) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, fraction, continueHeads);
  }

  public TrainConfig withContinueHeads(boolean continueFromHeads) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueFromHeads);
  }
}
