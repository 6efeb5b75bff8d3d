package org.vidar.train;

import org.vidar.data.ProgressSink;
import org.vidar.data.Seeds;
import org.vidar.model.VideoModel;
import org.vidar.optim.DifferentiableFunction;
import org.vidar.optim.IRpropPlus;
import org.vidar.optim.OptimizationResult;

/**
 * Stage 2, data-parallel: with the heads frozen, the trunk is fine-tuned by full-batch iRprop+.
 * Each step every shard sums its trunk gradient ({@link TrunkGradient}), the engine reduces the
 * sums, and the optimizer steps on the mean loss plus the trunk's L2 penalty. The same code runs on
 * every engine: the model is shared once per stage, the trunk parameters once per step.
 *
 * <p>With {@link TrainConfig#trunkFraction} below 1, step t sums over a random subset of about that
 * fraction of the videos instead, chosen afresh per step from (seed, round, t, video id), so every
 * engine and shard layout picks the same videos. The loss iRprop+ compares from step to step is then
 * that of different subsets: an approximation, the paper's very-large-batch variant.
 */
public final class TrunkStage {
  private final TrainConfig config;
  private final ProgressSink progress;

  public TrunkStage(TrainConfig config) {
    this(config, ProgressSink.NONE);
  }

  /** Stage 2 telling {@code progress} each iRprop+ step and its loss. */
  public TrunkStage(TrainConfig config, ProgressSink progress) {
    this.config = config;
    this.progress = progress;
  }

  /** The model with its trunk fine-tuned (as in round 1). */
  public StageResult run(Engine engine, VideoModel model) {
    return run(engine, model, 1);
  }

  /**
   * The model with its trunk fine-tuned in round {@code round} (which seeds the per-step subsets),
   * with the optimizer's summary; the loss is the objective at the returned trunk. On the full batch
   * the returned trunk is the best point evaluated, so its loss is never above the starting trunk's.
   */
  public StageResult run(Engine engine, VideoModel model, int round) {
    float[] params = model.trunkParams().clone();
    if (params.length == 0 || config.trunkSteps() == 0) {
      return StageResult.unchanged(model);
    }
    OptimizationResult result;
    int chunk = config.chunkRows();
    double fraction = config.trunkFraction();
    long seed = config.seed();
    int[] steps = {0};
    // Full batch, every evaluation is of one fixed objective: keep the best point seen, so that a
    // step that overshot (the last one is never checked by iRprop+'s backtracking) cannot leave the
    // trunk worse than it came in. With subsets the losses of different steps do not compare.
    boolean keepBest = fraction >= 1;
    TrainConfig holding = config; // the held-out rule is made where the shard is read: a lambda does not serialize
    BestPoint best = keepBest ? new BestPoint(params.length) : null;
    try (Engine.Shared<VideoModel> shared = engine.shareModel(model)) {
      DifferentiableFunction objective = (x, grad) -> {
        LossGradient sum;
        SubsetSample sample = fraction < 1 ? new SubsetSample(seed, round, steps[0]++, fraction) : null;
        // The model goes out once per stage; only the trunk parameters once per step.
        try (Engine.Shared<float[]> step = engine.shareArray(x.clone())) {
          sum = engine.aggregateShards(
              shard -> TrunkGradient.overShard(shared.get(), step.get(), shard, chunk, sample,
                  holding.pretrainHoldout() > 0 ? Pretrain.heldOut(holding) : null),
              LossGradient::plus);
        }
        double n = Math.max(1, sum.videos());
        float[] g = sum.gradient();
        for (int i = 0; i < g.length; i++) {
          grad[i] = (float) (g[i] / n);
        }
        double loss = sum.loss() / n + TrunkGradient.l2(model.trunk().layout(), x, config.trunkL2(), grad);
        if (keepBest) {
          best.offer(x, loss, sum.heldOutVideos() > 0 ? sum.heldOutLoss() / sum.heldOutVideos() : Double.NaN);
        }
        return loss;
      };
      progress.begin("round " + round + " trunk", config.trunkSteps(), "steps");
      result = new IRpropPlus(config.irprop(), params.length).minimize(objective, params, config.trunkSteps(), 1e-6,
          (step, loss) -> {
            progress.advance(1);
            progress.iteration("iRprop+ step", step, loss);
          }, () -> keepBest && best.staleFor() >= config.pretrainPatience());
    } finally {
      progress.end();
    }
    String remark = null;
    if (keepBest && best.found()) {
      params = best.params;
      result = new OptimizationResult(best.loss, result.iterations(), result.evaluations(), result.reason());
      if (best.keptStart()) {
        remark = String.format(java.util.Locale.ROOT, "kept its starting trunk: none of %d iRprop+ steps lowered the "
            + "held-out loss", result.iterations());
      }
    }
    return new StageResult(model.withTrunkParams(params), result.loss(), result, Double.NaN, remark);
  }

  /**
   * The point Stage 2 keeps among those it evaluated on the full batch. With held-out videos
   * ({@link TrainConfig#pretrainHoldout}, left out of the gradient), the one of lowest held-out
   * loss among those whose training objective is not above the first's (the starting trunk), so
   * the stage ends with neither loss above its start's; without, the lowest training objective.
   * At 10,000 synth frame-level videos the lowest training objective came with a higher held-out
   * loss than the start's, and validation GAP fell. The stage stops once {@link #staleFor} reaches
   * the patience ({@link TrainConfig#pretrainPatience}).
   */
  static final class BestPoint {
    final float[] params;
    double loss = Double.POSITIVE_INFINITY;
    private double heldLoss = Double.POSITIVE_INFINITY;
    private double startLoss = Double.NaN;
    private int stale;
    private int offers;
    /** The offer kept (0: the first, the starting trunk), or -1 before any. */
    private int kept = -1;

    BestPoint(int size) {
      params = new float[size];
    }

    void offer(float[] x, double trainLoss, double heldOutLoss) {
      if (Double.isNaN(startLoss)) {
        startLoss = trainLoss;
      }
      boolean better = Double.isNaN(heldOutLoss)
          ? trainLoss < loss
          : trainLoss <= startLoss && heldOutLoss < heldLoss;
      stale = better ? 0 : stale + 1;
      offers++;
      if (better) {
        kept = offers - 1;
        loss = trainLoss;
        heldLoss = heldOutLoss;
        System.arraycopy(x, 0, params, 0, x.length);
      }
    }

    boolean found() {
      return kept >= 0;
    }

    /** Whether the point kept is the first offered (the starting trunk), judged on held-out losses. */
    boolean keptStart() {
      return kept == 0 && !Double.isNaN(heldLoss);
    }

    /** Points offered since the kept one, when there are held-out losses; 0 without them (never stale). */
    int staleFor() {
      return Double.isNaN(heldLoss) || heldLoss == Double.POSITIVE_INFINITY ? 0 : stale;
    }
  }

  /** The videos of one step's subset: those whose key hashes below the fraction. */
  record SubsetSample(long seed, int round, int step, double fraction)
      implements java.util.function.LongPredicate, java.io.Serializable {
    private static final long STAGE = 2;

    @Override
    public boolean test(long videoKey) {
      return Seeds.unit(Seeds.hash(seed, STAGE, round, step, videoKey)) < fraction;
    }
  }
}
