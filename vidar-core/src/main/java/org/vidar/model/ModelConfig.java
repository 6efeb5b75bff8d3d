package org.vidar.model;

import org.vidar.data.FeatureSpec;

/**
 * The architecture of a model's shared part: what it reads (the feature spec, whose dimension is
 * the trunk's input and whose class count is the model's) and the trunk. The heads' shape is the
 * model's expert allocation; how many experts a class gets is a training setting.
 */
public record ModelConfig(FeatureSpec features, TrunkConfig trunk) implements java.io.Serializable {
  public ModelConfig {
    if (features == null || trunk == null) {
      throw new IllegalArgumentException("features and trunk must be set");
    }
    boolean frameTrunk = trunk instanceof TrunkConfig.Dbof;
    if (frameTrunk != (features.level() == FeatureSpec.Level.FRAME)) {
      throw new IllegalArgumentException("a " + (frameTrunk ? "frame-level DBoF" : "video-level")
          + " trunk cannot read " + features.level().name().toLowerCase(java.util.Locale.ROOT) + "-level data");
    }
  }

  /** Values per input row. */
  public int inputDim() {
    return features.dimension();
  }

  /** Whether the trunk has parameters to train (false: the heads sit on the input features). */
  public boolean hasTrainableTrunk() {
    return Trunk.of(trunk, inputDim()).layout().size() > 0;
  }

  /** Number of classes (the feature spec's vocabulary). */
  public int numClasses() {
    return features.numClasses();
  }
}
