package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.HeadConfig;

class TrunkStageTest {

  static double meanLoss(VideoModel m, VideoDataset data) {
    try (LocalEngine e = new LocalEngine(data, 1)) {
      LossGradient g = e.aggregateShards(s -> TrunkGradient.overShard(m, m.trunkParams(), s, 16), LossGradient::plus);
      return g.loss() / g.videos();
    }
  }

  static VideoModel videoModel(VideoDataset data) {
    ModelConfig mc = TrainFixtures.videoModel(4, 3, List.of(6), true);
    return VideoModel.initialize(mc, ExpertAllocation.fixed(3, 2), Seeds.stream(17));
  }

  static VideoModel run(VideoModel m, VideoDataset data, int shards, int steps) {
    TrainConfig c = TrainFixtures.config(1, 0, 1, HeadConfig.fixed(2, 0f), 1, 10, steps, 8);
    try (LocalEngine e = new LocalEngine(data, 2, shards)) {
      StageResult result = new TrunkStage(c).run(e, m);
      VideoModel out = result.model();
      if (steps > 0) {
        assertNotNull(result.optimization());
        assertEquals(meanLoss(out, data), result.loss(), 1e-4, "reported loss is the final model's");
      }
      return out;
    }
  }

  @Test
  void iRpropStepsLowerTheLoss() {
    VideoDataset data = TrainFixtures.separableVideos(40, 4, 3, 8);
    VideoModel m = videoModel(data);
    double before = meanLoss(m, data);
    VideoModel after = run(m, data, 2, 20);
    double lossAfter = meanLoss(after, data);
    assertTrue(lossAfter < before - 0.05, before + " -> " + lossAfter);
    assertSame(m.headParams(), after.headParams(), "heads stay frozen");
  }

  @Test
  void dbofWithFrozenBatchNormLowersTheLoss() {
    VideoDataset data = TrainFixtures.separableFrames(30, 4, 2, 9);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 5, true, 4, true);
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.fixed(2, 1), Seeds.stream(4));
    double before = meanLoss(m, data);
    VideoModel after = run(m, data, 3, 15);
    assertTrue(meanLoss(after, data) < before - 0.02, before + " -> " + meanLoss(after, data));
  }

  @Test
  void oneAndTwoShardsAgree() {
    VideoDataset data = TrainFixtures.separableVideos(40, 4, 3, 10);
    VideoModel m = videoModel(data);
    float[] one = run(m, data, 1, 10).trunkParams();
    float[] two = run(m, data, 2, 10).trunkParams();
    for (int i = 0; i < one.length; i++) {
      assertEquals(one[i], two[i], 1e-4 * Math.max(1, Math.abs(one[i])), "trunk param " + i);
    }
  }

  @Test
  void zeroStepsLeaveTheModel() {
    VideoDataset data = TrainFixtures.separableVideos(10, 4, 3, 11);
    VideoModel m = videoModel(data);
    TrainConfig c = TrainFixtures.config(1, 0, 1, HeadConfig.fixed(2, 0f), 1, 10, 0, 8);
    try (LocalEngine e = new LocalEngine(data, 1)) {
      StageResult result = new TrunkStage(c).run(e, m);
      assertSame(m, result.model());
      assertNull(result.optimization());
    }
  }

  /** Step t's subset holds about the fraction of videos, and different steps draw independently. */
  @Test
  void subsetsHoldTheFractionAndChangeEveryStep() {
    int n = 20_000;
    TrunkStage.SubsetSample s0 = new TrunkStage.SubsetSample(1, 1, 0, 0.25);
    TrunkStage.SubsetSample s1 = new TrunkStage.SubsetSample(1, 1, 1, 0.25);
    TrunkStage.SubsetSample r2 = new TrunkStage.SubsetSample(1, 2, 0, 0.25);
    int in0 = 0;
    int both = 0;
    int sameAcrossRounds = 0;
    for (int v = 0; v < n; v++) {
      long key = Seeds.videoKey("video-" + v);
      boolean a = s0.test(key);
      in0 += a ? 1 : 0;
      both += a && s1.test(key) ? 1 : 0;
      sameAcrossRounds += a && r2.test(key) ? 1 : 0;
    }
    // Binomial(20000, 0.25): sd 61; (0.25^2)·n = 1250 expected in both, sd about 34.
    assertEquals(5000, in0, 250);
    assertEquals(1250, both, 170);
    assertEquals(1250, sameAcrossRounds, 170);
  }

  /** A step's sum over a sampled shard is the sum over a dataset of just the sampled videos. */
  @Test
  void sampledGradientIsTheGradientOfTheSampledVideos() {
    VideoDataset data = TrainFixtures.separableVideos(60, 4, 3, 12);
    VideoModel m = videoModel(data);
    TrunkStage.SubsetSample sample = new TrunkStage.SubsetSample(3, 1, 0, 0.4);
    java.util.List<Integer> kept = new java.util.ArrayList<>();
    for (int v = 0; v < data.size(); v++) {
      if (sample.test(data.key(v))) {
        kept.add(v);
      }
    }
    assertTrue(kept.size() > 10 && kept.size() < 50, "kept " + kept.size());
    String[] ids = new String[kept.size()];
    int[][] labels = new int[kept.size()][];
    float[] features = new float[kept.size() * 4];
    for (int i = 0; i < kept.size(); i++) {
      int v = kept.get(i);
      ids[i] = data.id(v);
      labels[i] = data.labelsOf(v);
      System.arraycopy(data.features(), v * 4, features, i * 4, 4);
    }
    VideoDataset subset = VideoDataset.of(FeatureSpec.Level.VIDEO, 4, ids, labels, features, null);
    LossGradient sampled = TrunkGradient.overShard(m, m.trunkParams(), data.range(0, 0, 60), 7,
        sample);
    LossGradient direct = TrunkGradient.overShard(m, m.trunkParams(), subset.range(0, 0,
        subset.size()), 7, null);
    assertEquals(kept.size(), sampled.videos());
    assertEquals(direct.loss(), sampled.loss(), 1e-9 * Math.abs(direct.loss()));
    float[] a = direct.gradient();
    float[] b = sampled.gradient();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-5f * Math.max(1, Math.abs(a[i])), "gradient " + i);
    }
  }

  /** Steps on a fraction of the data pick the same videos however the data are sharded. */
  @Test
  void fractionStepsDoNotDependOnSharding() {
    VideoDataset data = TrainFixtures.separableVideos(80, 4, 3, 13);
    VideoModel m = videoModel(data);
    TrainConfig c = TrainFixtures.config(1, 0, 1, HeadConfig.fixed(2, 0f), 1, 10, 6, 8).withTrunkFraction(0.5);
    float[] one;
    float[] three;
    try (LocalEngine e = new LocalEngine(data, 1, 1)) {
      one = new TrunkStage(c).run(e, m, 2).model().trunkParams();
    }
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      three = new TrunkStage(c).run(e, m, 2).model().trunkParams();
    }
    float[] full;
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      full = new TrunkStage(c.withTrunkFraction(1)).run(e, m, 2).model().trunkParams();
    }
    double fromFull = 0;
    for (int i = 0; i < one.length; i++) {
      assertEquals(one[i], three[i], 1e-5f * Math.max(1, Math.abs(one[i])), "trunk param " + i);
      fromFull += Math.abs(one[i] - full[i]);
    }
    assertTrue(fromFull > 1e-4, "a half-data step is not the full-batch step: " + fromFull);
    assertTrue(meanLoss(model(m, one), data) < meanLoss(m, data), "half-data steps still lower the full loss");
  }

  /**
   * Issue 13: on frame data a DBoF trunk without batch normalization, given iRprop+ steps too large
   * for it, ends its last (unchecked) step above the loss it started at; Stage 2 must return the best
   * trunk it evaluated instead, never a worse one than it was given.
   */
  @Test
  void dbofStageNeverEndsAboveItsStartingLoss() {
    VideoDataset data = TrainFixtures.separableFrames(40, 4, 2, 21);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 6, false, 5, false);
    // A trunk near a minimum, where one large sign step on every weight can only overshoot.
    VideoModel m = run(VideoModel.initialize(mc, ExpertAllocation.fixed(2, 1), Seeds.stream(5)), data, 3, 40);
    double before = meanLoss(m, data);
    TrainConfig c = new TrainConfig(1, 0, 8, org.vidar.optim.AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 1,
        HeadConfig.fixed(2, 0f), 1, org.vidar.optim.LbfgsConfig.of(10, 1e-7, 1e-10), 1,
        org.vidar.optim.IRpropConfig.withDelta0(0.5), 0f, 8);
    // What plain iRprop+ does with these steps: its last point is worse than the start.
    float[] x = m.trunkParams().clone();
    org.vidar.optim.OptimizationResult plain;
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      plain = new org.vidar.optim.IRpropPlus(c.irprop(), x.length).minimize((p, g) -> {
        LossGradient sum = e.aggregateShards(s -> TrunkGradient.overShard(m, p, s, 8), LossGradient::plus);
        for (int i = 0; i < g.length; i++) {
          g[i] = (float) (sum.gradient()[i] / sum.videos());
        }
        return sum.loss() / sum.videos();
      }, x, c.trunkSteps(), 1e-6);
    }
    assertTrue(plain.loss() > before + 0.01, "the case overshoots: " + before + " -> " + plain.loss());
    StageResult result;
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      result = new TrunkStage(c).run(e, m);
    }
    double after = meanLoss(result.model(), data);
    assertTrue(after <= before, before + " -> " + after);
    assertEquals(after, result.loss(), 1e-6, "reported loss is the returned model's");
  }

  /**
   * With held-out videos (pre-training's slice) Stage 2's gradient leaves them out, as it were
   * summed over the other videos alone, and their loss comes apart; with a sample too, both apply.
   */
  @Test
  void heldOutVideosAreScoredNotTrainedOn() {
    VideoDataset data = TrainFixtures.separableFrames(50, 4, 2, 23);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 6, false, 5, false);
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.fixed(2, 2), Seeds.stream(6));
    java.util.function.LongPredicate heldOut = key -> Math.floorMod(key, 3) == 0;
    LossGradient split = TrunkGradient.overShard(m, m.trunkParams(), data.range(0, 0, data.size()), 7, null, heldOut);
    LossGradient trained = TrunkGradient.overShard(m, m.trunkParams(), data.range(0, 0, data.size()), 7,
        heldOut.negate());
    LossGradient scored = TrunkGradient.overShard(m, m.trunkParams(), data.range(0, 0, data.size()), 7, heldOut);
    assertTrue(split.heldOutVideos() > 5 && split.videos() > 5, split.videos() + " + " + split.heldOutVideos());
    assertEquals(data.size(), split.videos() + split.heldOutVideos());
    assertEquals(trained.videos(), split.videos());
    assertEquals(trained.loss(), split.loss(), 1e-9 * Math.abs(trained.loss()));
    assertEquals(scored.loss(), split.heldOutLoss(), 1e-9 * Math.abs(scored.loss()));
    org.junit.jupiter.api.Assertions.assertArrayEquals(trained.gradient(), split.gradient());
    LossGradient both = TrunkGradient.overShard(m, m.trunkParams(), data.range(0, 0, data.size()), 7,
        key -> Math.floorMod(key, 2) == 0, heldOut);
    assertEquals(TrunkGradient.overShard(m, m.trunkParams(), data.range(0, 0, data.size()), 7,
        key -> Math.floorMod(key, 2) == 0 && !heldOut.test(key)).loss(), both.loss(), 1e-9 * Math.abs(both.loss()));
  }

  /**
   * The point Stage 2 keeps: with held-out losses, the lowest of them among points whose training
   * objective is not above the start's; without, the lowest training objective.
   */
  @Test
  void keptPointIsTheLowestHeldOutLossNotAboveTheStartsTrainingLoss() {
    TrunkStage.BestPoint held = new TrunkStage.BestPoint(1);
    double[][] offers = {{5, 2.0}, {4, 2.5}, {3, 1.9}, {6, 1.0}, {2, 1.95}};
    for (int i = 0; i < offers.length; i++) {
      held.offer(new float[] {i}, offers[i][0], offers[i][1]);
    }
    assertEquals(2f, held.params[0], "point 2: point 3's held-out loss is lower, its training loss above the start's");
    assertEquals(3, held.loss);
    assertEquals(2, held.staleFor(), "two points offered since the kept one");
    TrunkStage.BestPoint start = new TrunkStage.BestPoint(1);
    start.offer(new float[] {0}, 5, 2.0);
    start.offer(new float[] {1}, 4, 2.1);
    assertEquals(0f, start.params[0], "no step lowered the held-out loss: the start");
    assertTrue(start.keptStart());
    assertFalse(held.keptStart(), "point 2 was kept");
    TrunkStage.BestPoint plain = new TrunkStage.BestPoint(1);
    for (int i = 0; i < offers.length; i++) {
      plain.offer(new float[] {i}, offers[i][0], Double.NaN);
    }
    assertEquals(4f, plain.params[0], "without held-out videos, the lowest training objective");
    plain.offer(new float[] {9}, 7, Double.NaN);
    assertEquals(0, plain.staleFor(), "without held-out videos the stage never stops early");
    TrunkStage.BestPoint plainStart = new TrunkStage.BestPoint(1);
    plainStart.offer(new float[] {0}, 5, Double.NaN);
    plainStart.offer(new float[] {1}, 6, Double.NaN);
    assertFalse(plainStart.keptStart(), "without held-out losses there is nothing to say");
  }

  /** On frame data with a held-out slice, Stage 2 ends with neither loss above its start's. */
  @Test
  void dbofStageWithHeldOutVideosEndsWithNeitherLossAboveItsStart() {
    VideoDataset data = TrainFixtures.separableFrames(60, 4, 2, 29);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 6, false, 5, false);
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.fixed(2, 2), Seeds.stream(8));
    TrainConfig c = new TrainConfig(1, 0, 8, org.vidar.optim.AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 1,
        HeadConfig.fixed(2, 0f), 1, org.vidar.optim.LbfgsConfig.of(10, 1e-7, 1e-10), 15,
        org.vidar.optim.IRpropConfig.withDelta0(0.1), 0f, 8).withPretrainHoldout(0.3, 3);
    java.util.function.LongPredicate heldOut = Pretrain.heldOut(c);
    StageResult result;
    LossGradient before;
    LossGradient after;
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      result = new TrunkStage(c).run(e, m);
      before = e.aggregateShards(s -> TrunkGradient.overShard(m, m.trunkParams(), s, 8, null, heldOut),
          LossGradient::plus);
      VideoModel out = result.model();
      after = e.aggregateShards(s -> TrunkGradient.overShard(out, out.trunkParams(), s, 8, null, heldOut),
          LossGradient::plus);
    }
    assertTrue(before.heldOutVideos() > 5, "held out " + before.heldOutVideos());
    assertTrue(after.loss() / after.videos() < before.loss() / before.videos(), "the stage trained");
    assertTrue(after.heldOutLoss() <= before.heldOutLoss(), before.heldOutLoss() + " -> " + after.heldOutLoss());
    assertEquals(after.loss() / after.videos(), result.loss(), 1e-6, "reported loss is the returned model's");
  }

  private static VideoModel model(VideoModel m, float[] trunk) {
    return m.withTrunkParams(trunk);
  }
}
