package org.vidar.model.layer;

/**
 * A layer that normalizes by batch statistics ({@link BatchNorm}, {@link NormalizedDense}): its
 * scratch carries the {@link BatchNorm.Mode}, and a TRAINING pass's statistics reach the running
 * ones only through {@link #commitStatistics}.
 */
public interface NormalizingLayer extends Layer {

  /** Buffers whose forward passes normalize in {@code mode}. */
  Layer.Scratch newScratch(BatchNorm.Mode mode);

  /**
   * Moves the running statistics in {@code params} by those of the last TRAINING forward pass of
   * {@code scratch}, once (nothing when it has none pending).
   */
  void commitStatistics(float[] params, Layer.Scratch scratch);
}
