package org.vidar.train;

import org.vidar.model.VideoModel;
import org.vidar.optim.DifferentiableFunction;
import org.vidar.optim.IRpropPlus;
import org.vidar.optim.OptimizationResult;

/**
 * Stage 2, data-parallel: with the heads frozen, the trunk is fine-tuned by full-batch iRprop+.
 * Each step every shard sums its trunk gradient ({@link TrunkGradient}), the engine reduces the
 * sums, and the optimizer steps on the mean loss plus the trunk's L2 penalty. The same code runs on
 * every engine: the model is shared once per stage, the trunk parameters once per step.
 */
public final class TrunkStage {
  private final TrainConfig config;
  private OptimizationResult last;

  public TrunkStage(TrainConfig config) {
    this.config = config;
  }

  /** The model with its trunk fine-tuned. */
  public VideoModel run(Engine engine, VideoModel model) {
    float[] params = model.trunkParams().clone();
    if (params.length == 0 || config.trunkSteps() == 0) {
      last = null;
      return model;
    }
    int chunk = config.chunkRows();
    try (Engine.Shared<VideoModel> shared = engine.shareModel(model)) {
      DifferentiableFunction objective = (x, grad) -> {
        LossGradient sum;
        // The model goes out once per stage; only the trunk parameters once per step.
        try (Engine.Shared<float[]> step = engine.shareArray(x.clone())) {
          sum = engine.aggregateShards(
              shard -> TrunkGradient.overShard(shared.get(), step.get(), shard, chunk), LossGradient::plus);
        }
        double n = Math.max(1, sum.videos());
        float[] g = sum.gradient();
        for (int i = 0; i < g.length; i++) {
          grad[i] = (float) (g[i] / n);
        }
        return sum.loss() / n + TrunkGradient.l2(model.trunk().layout(), x, config.trunkL2(), grad);
      };
      last = new IRpropPlus(config.irprop(), params.length).minimize(objective, params, config.trunkSteps(), 1e-6);
    }
    return model.withTrunkParams(params);
  }

  /** The optimizer's summary of the last run, or null. */
  public OptimizationResult lastResult() {
    return last;
  }
}
