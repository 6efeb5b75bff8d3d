package org.vidar.model;

import java.io.Serializable;

/**
 * A model's trunk without its heads: what a task needs that computes embeddings only (the
 * embedding pass, scoring by class groups), so that it never receives the heads.
 */
public record TrunkPart(ModelConfig config, float[] params) implements Serializable {
  /** {@code model}'s trunk (sharing its parameter array). */
  public static TrunkPart of(VideoModel model) {
    return new TrunkPart(model.config(), model.trunkParams());
  }

  /** The trunk these parameters belong to. */
  public Trunk trunk() {
    return Trunk.of(config.trunk(), config.inputDim());
  }
}
