package org.vidar.train;

import java.util.Objects;

/**
 * One line of a training run's {@code metrics.jsonl}: a pre-training epoch or a finished stage, with
 * the cumulative training time, the training loss, the validation metrics and the throughput. A
 * figure that does not exist (no validation files, a stage that trained nothing) is NaN here and
 * null in the file.
 *
 * @param kind {@link #EPOCH} or {@link #STAGE}
 * @param stage the stage's name ("pretrain", "round 1 heads", "round 1 trunk", ...)
 * @param epoch the pre-training epoch, from 0 (-1 on a stage line)
 * @param seconds training time since the run began, summed over stages (evaluation and checkpoints
 *     not counted; a resumed run continues the seconds of the lines it keeps)
 * @param stageSeconds training time of this stage so far
 * @param trainLoss the training loss the stage reports
 * @param topK k of {@code gap} (GAP@k)
 * @param gap validation GAP@k
 * @param hit1 validation Hit@1
 * @param perr validation PERR
 * @param map validation MAP
 * @param videosPerSecond training videos through the stage (epoch) per second
 * @param framesPerSecond frame level: frames through it per second (NaN at video level)
 * @param parameters the model's parameter count
 */
public record MetricsLine(String kind, String stage, int epoch, double seconds, double stageSeconds,
    double trainLoss, int topK, double gap, double hit1, double perr, double map, double videosPerSecond,
    double framesPerSecond, long parameters) {
  /** A pre-training epoch's line. */
  public static final String EPOCH = "epoch";
  /** A finished stage's line. */
  public static final String STAGE = "stage";

  public MetricsLine {
    Objects.requireNonNull(stage, "stage");
    if (!EPOCH.equals(kind) && !STAGE.equals(kind)) {
      throw new IllegalArgumentException("kind must be '" + EPOCH + "' or '" + STAGE + "', not " + kind);
    }
    if (EPOCH.equals(kind) != epoch >= 0) {
      throw new IllegalArgumentException("an epoch line has an epoch >= 0, a stage line none: " + kind + " " + epoch);
    }
  }

  /** Whether this line is a finished stage's. */
  public boolean isStage() {
    return STAGE.equals(kind);
  }

  /** The round of the stage (0 for pre-training). */
  public int round() {
    return (Checkpoints.stageIndex(stage) + 1) / 2;
  }
}
