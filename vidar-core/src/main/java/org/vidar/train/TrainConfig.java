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
    int chunkRows) implements java.io.Serializable {
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
    if (adam == null || pretrainHeads == null || heads == null || lbfgs == null || irprop == null) {
      throw new IllegalArgumentException("optimizer and head settings must be set");
    }
  }
}
