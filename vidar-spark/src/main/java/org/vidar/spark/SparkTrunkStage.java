package org.vidar.spark;

import java.io.Serializable;
import java.util.function.BinaryOperator;
import org.apache.spark.broadcast.Broadcast;
import org.vidar.model.VideoModel;
import org.vidar.optim.DifferentiableFunction;
import org.vidar.optim.IRpropPlus;
import org.vidar.optim.OptimizationResult;
import org.vidar.train.TrainConfig;
import org.vidar.train.TrunkGradient;
import org.vidar.train.TrunkStage;

/**
 * Stage 2 on Spark: the same objective as {@link TrunkStage}, with the model broadcast once per
 * stage, the trunk parameters once per step, and the trunk gradient summed by {@code treeReduce}
 * over the file partitions; the driver applies iRprop+.
 *
 * <p>It exists because the core stage's task captures the model, which Spark cannot ship; once the
 * core engine can share a model with its tasks, {@link TrunkStage} runs on {@link SparkEngine} as is.
 */
public final class SparkTrunkStage {
  private static final BinaryOperator<GradientSum> SUM =
      (BinaryOperator<GradientSum> & Serializable) GradientSum::plus;
  private final TrainConfig config;
  private OptimizationResult last;

  public SparkTrunkStage(TrainConfig config) {
    this.config = config;
  }

  /** The model with its trunk fine-tuned. */
  public VideoModel run(SparkEngine engine, VideoModel model) {
    float[] params = model.trunkParams().clone();
    if (params.length == 0 || config.trunkSteps() == 0) {
      last = null;
      return model;
    }
    Broadcast<ModelBytes> shared = engine.broadcast(ModelBytes.of(model));
    try {
      DifferentiableFunction objective = (x, grad) -> {
        Broadcast<float[]> step = engine.broadcast(x.clone());
        GradientSum sum;
        try {
          sum = engine.aggregateShards(new TrunkGradientTask(shared, step, config.chunkRows()), SUM);
        } finally {
          step.destroy();
        }
        double n = Math.max(1, sum.videos());
        float[] g = sum.gradient();
        for (int i = 0; i < g.length; i++) {
          grad[i] = (float) (g[i] / n);
        }
        return sum.loss() / n + TrunkGradient.l2(model.trunk().layout(), x, config.trunkL2(), grad);
      };
      last = new IRpropPlus(config.irprop(), params.length).minimize(objective, params, config.trunkSteps(), 1e-6);
    } finally {
      shared.destroy();
    }
    return model.withTrunkParams(params);
  }

  /** The optimizer's summary of the last run, or null. */
  public OptimizationResult lastResult() {
    return last;
  }
}
