package org.vidar.model;

import org.vidar.data.FeatureSpec;

/**
 * The architecture of a model: what it reads (the feature spec, whose dimension is the trunk's
 * input), the trunk, the heads, and the number of classes.
 */
public record ModelConfig(FeatureSpec features, TrunkConfig trunk, HeadConfig heads, int numClasses)
    implements java.io.Serializable {
  public ModelConfig {
    if (features == null || trunk == null || heads == null) {
      throw new IllegalArgumentException("features, trunk and heads must be set");
    }
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    }
    if (features.numClasses() != numClasses) {
      throw new IllegalArgumentException("the feature spec has " + features.numClasses()
          + " classes, the model " + numClasses);
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

  /** The same model with other heads. */
  public ModelConfig withHeads(HeadConfig h) {
    return new ModelConfig(features, trunk, h, numClasses);
  }
}
