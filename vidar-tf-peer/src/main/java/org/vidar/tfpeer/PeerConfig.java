package org.vidar.tfpeer;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything one peer run needs, checked once here. Defaults live in {@link PeerArgs}, and the
 * per-model expert count in {@link ModelKind}.
 *
 * @param train training files, directories or globs (comma-separated lists allowed)
 * @param validate validation files scored after every epoch
 * @param classes vocabulary size; labels must lie below it
 * @param model which starter model
 * @param epochs passes over the training data
 * @param batch videos per Adam step
 * @param learningRate Adam's learning rate
 * @param hidden units of the MLP's hidden layer, or of DBoF's video-level layer (ignored by moe)
 * @param experts logistic experts per class
 * @param clip per-tensor gradient norm limit; 0 turns clipping off
 * @param seed seed of the initial weights and of the per-epoch shuffles
 * @param out output directory
 * @param intraOpThreads TensorFlow's intra-op threads; 0 lets TensorFlow choose
 * @param interOpThreads TensorFlow's inter-op threads; 0 lets TensorFlow choose
 * @param topK classes written per video in the prediction CSVs
 * @param clusterSize dbof: width of the per-frame layer (the starter's dbof_cluster_size)
 * @param sampleFrames dbof: frames drawn per video per step (the starter's iterations)
 * @param bnDecay dbof: the batch norms' moving-average decay, reached after a warm-up
 */
record PeerConfig(List<String> train, List<String> validate, int classes, ModelKind model, int epochs,
    int batch, float learningRate, int hidden, int experts, float clip, long seed, Path out,
    int intraOpThreads, int interOpThreads, int topK, int clusterSize, int sampleFrames, float bnDecay) {

  /** The L2 penalty of the MoE's gate and expert weights (the starter's moe_l2). */
  static final float MOE_L2 = 1e-8f;

  PeerConfig {
    train = List.copyOf(Objects.requireNonNull(train, "train"));
    validate = List.copyOf(Objects.requireNonNull(validate, "validate"));
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(out, "out");
    if (train.isEmpty()) {
      throw new IllegalArgumentException("--train names no files");
    }
    if (validate.isEmpty()) {
      throw new IllegalArgumentException("--validate names no files");
    }
    positive("--classes", classes);
    positive("--epochs", epochs);
    positive("--batch", batch);
    positive("--hidden", hidden);
    positive("--experts", experts);
    positive("--top-k", topK);
    positive("--cluster-size", clusterSize);
    positive("--sample-frames", sampleFrames);
    if (!(bnDecay >= 0 && bnDecay < 1)) {
      throw new IllegalArgumentException("--bn-decay must lie in [0, 1), got " + bnDecay);
    }
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException("--lr must be a positive number, got " + learningRate);
    }
    if (!(clip >= 0) || !Float.isFinite(clip)) {
      throw new IllegalArgumentException("--clip must be >= 0 (0 disables clipping), got " + clip);
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("--intra-op-threads and --inter-op-threads must be >= 0"
          + " (0 = TensorFlow's default), got " + intraOpThreads + " and " + interOpThreads);
    }
  }

  private static void positive(String option, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be positive, got " + value);
    }
  }
}
