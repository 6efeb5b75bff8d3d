package org.vidar.train;

import org.vidar.model.VideoModel;
import org.vidar.optim.OptimizationResult;

/**
 * What a stage produced: the model it ends with, its training loss (the mean over videos of the
 * loss summed over classes: Stages 1 and 2 add their L2 penalty, the objective they minimized;
 * pre-training reports the mean, without it, of the epoch whose model it returns; NaN when the stage did nothing), and
 * the optimizer's summary (null for stages that run no single optimizer: pre-training's epochs, or
 * a stage with nothing to do), and the whole passes over the data its work came to (Stage 1 by
 * Adam: each class group's passes weighted by its share of the heads' columns, since each group
 * stops on its own; NaN when not counted), and what a user should know of how it ended, in a
 * sentence ("kept its starting trunk: …"), or null.
 */
public record StageResult(VideoModel model, double loss, OptimizationResult optimization, double passes,
    String remark) {
  /** A result whose passes are not counted. */
  public StageResult(VideoModel model, double loss, OptimizationResult optimization) {
    this(model, loss, optimization, Double.NaN);
  }

  /** A result without a remark. */
  public StageResult(VideoModel model, double loss, OptimizationResult optimization, double passes) {
    this(model, loss, optimization, passes, null);
  }

  /** A stage that left {@code model} as it was. */
  public static StageResult unchanged(VideoModel model) {
    return new StageResult(model, Double.NaN, null);
  }
}
