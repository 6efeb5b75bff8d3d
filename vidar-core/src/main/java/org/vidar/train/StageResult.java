package org.vidar.train;

import org.vidar.model.VideoModel;
import org.vidar.optim.OptimizationResult;

/**
 * What a stage produced: the model it ends with, its training loss (mean over videos of the loss
 * summed over classes, plus the stage's L2 penalty; NaN when the stage did no optimization), and
 * the optimizer's summary (null for stages that run no single optimizer: pre-training's epochs, or
 * a stage with nothing to do).
 */
public record StageResult(VideoModel model, double loss, OptimizationResult optimization) {
  /** A stage that left {@code model} as it was. */
  public static StageResult unchanged(VideoModel model) {
    return new StageResult(model, Double.NaN, null);
  }
}
