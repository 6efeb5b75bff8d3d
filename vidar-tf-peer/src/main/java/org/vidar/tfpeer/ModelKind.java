package org.vidar.tfpeer;

import java.util.Locale;

/**
 * The starter code's models this peer trains, with each one's input level and defaults (expert count,
 * batch size, Adam learning rate) for when the options are not given.
 */
enum ModelKind {
  /** MoeModel straight on the 1152 video-level input features. */
  MOE(false, 2, 1024, 0.01f),
  /** A ReLU dense layer of {@code --hidden} units, then the same MoE. */
  MLP(false, 4, 1024, 0.01f),
  /**
   * frame_level_models.DbofModel on sampled frames, then the MoE; batch 256 and learning rate 0.001
   * are the settings an earlier measurement tuned for it.
   */
  DBOF(true, 2, 256, 0.001f);

  private final boolean frameLevel;
  private final int defaultExperts;
  private final int defaultBatch;
  private final float defaultLearningRate;

  ModelKind(boolean frameLevel, int defaultExperts, int defaultBatch, float defaultLearningRate) {
    this.frameLevel = frameLevel;
    this.defaultExperts = defaultExperts;
    this.defaultBatch = defaultBatch;
    this.defaultLearningRate = defaultLearningRate;
  }

  /** True when the model reads frame-level SequenceExamples rather than video-level Examples. */
  boolean frameLevel() {
    return frameLevel;
  }

  /** The number of experts per class when {@code --experts} is not given. */
  int defaultExperts() {
    return defaultExperts;
  }

  /** Videos per step when {@code --batch} is not given. */
  int defaultBatch() {
    return defaultBatch;
  }

  /** Adam's learning rate when {@code --lr} is not given. */
  float defaultLearningRate() {
    return defaultLearningRate;
  }

  /** The name used on the command line and in peer.json. */
  String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind named {@code name} (case-insensitive). */
  static ModelKind parse(String name) {
    for (ModelKind kind : values()) {
      if (kind.cliName().equalsIgnoreCase(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("--model must be moe, mlp or dbof, got '" + name + "'");
  }
}
