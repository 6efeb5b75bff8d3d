package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.Seeds;
import org.vidar.data.batch.VideoDataset;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ClassGroups;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.HeadConfig;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.TensorRef;
import org.vidar.train.embedding.EmbeddingTable;

class HeadStageTest {
  static final int DIM = 3;

  /** A depth-0 trunk, so the embedding table is the features themselves. */
  static VideoModel passThrough(int classes) {
    ModelConfig mc = TrainFixtures.videoModel(DIM, classes, List.of(), false);
    return VideoModel.initialize(mc, ExpertAllocation.fixed(classes, 1), Seeds.stream(3));
  }

  static EmbeddingTable table(VideoDataset data, VideoModel model, int threads) {
    try (LocalEngine e = new LocalEngine(data, threads)) {
      return e.embed(model, 7);
    }
  }

  static VideoModel runHeads(VideoDataset data, TrainConfig config, int threads) {
    VideoModel m = passThrough(classes(data));
    EmbeddingTable t = table(data, m, threads);
    try (LocalEngine e = new LocalEngine(data, threads)) {
      return new HeadStage(config).run(e, m, t, data.positivesPerClass(classes(data)), 1).model();
    }
  }

  /** Stage 1 alone (3 groups of 2-expert heads) by Adam at 0.05 in batches of {@code batch}, 2 passes asked. */
  static TrainConfig twoAdamPasses(int batch) {
    TrainConfig base = TrainFixtures.config(4, 0, 1, HeadConfig.fixed(2, 1e-3f), 3, 1, 0, 8);
    return new TrainConfig(base.seed(), 0, batch, org.vidar.optim.AdamConfig.of(0.05), base.pretrainHeads(), 1,
        base.heads(), 3, base.lbfgs(), 0, base.irprop(), 0f, 8).withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 2);
  }

  /** Classes of a dataset: one past the largest label. */
  static int classes(VideoDataset data) {
    int k = 0;
    for (int l : data.labels()) {
      k = Math.max(k, l + 1);
    }
    return k;
  }

  static double meanLoss(VideoModel m, EmbeddingTable t) {
    MoeHeads h = m.heads();
    float[] grad = new float[m.headParams().length];
    double loss = h.lossAndBackward(m.headParams(), t.values(), t.rows(), t.labels(), t.labelOffsets(), null, grad,
        h.newScratch());
    return loss / t.rows();
  }

  /**
   * Rising batches take a quarter of the batch, doubled every two passes up to it (at least one
   * video); half-first ones half of it in the first pass; full ones all of it throughout. Fresh
   * heads rise on tables of 8 to 64 batches, start on half ones on larger tables, take full ones
   * on smaller tables or tables of unknown size. Rising batches' first passes step at the boosted
   * rate.
   */
  @Test
  void freshHeadsStartOnSmallerBatchesAsTheTableSays() {
    int[] rising = new int[6];
    int[] halfFirst = new int[6];
    for (int p = 0; p < 6; p++) {
      rising[p] = HeadStage.Batches.RISING.batch(1024, p);
      halfFirst[p] = HeadStage.Batches.HALF_FIRST.batch(1024, p);
      assertEquals(1024, HeadStage.Batches.FULL.batch(1024, p));
    }
    assertArrayEquals(new int[] {256, 256, 512, 512, 1024, 1024}, rising);
    assertArrayEquals(new int[] {512, 1024, 1024, 1024, 1024, 1024}, halfFirst);
    assertEquals(1, HeadStage.Batches.RISING.batch(3, 0));
    assertEquals(2, HeadStage.Batches.RISING.batch(3, 2));
    assertEquals(3, HeadStage.Batches.RISING.batch(3, 4));
    assertEquals(3, HeadStage.Batches.RISING.batch(3, 1000));
    assertEquals(1, HeadStage.Batches.HALF_FIRST.batch(1, 0));
    assertEquals(HeadStage.Batches.FULL, HeadStage.Batches.forFreshHeads(-1, 1024));
    assertEquals(HeadStage.Batches.FULL, HeadStage.Batches.forFreshHeads(1600, 1024));
    assertEquals(HeadStage.Batches.RISING, HeadStage.Batches.forFreshHeads(20_000, 1024));
    assertEquals(HeadStage.Batches.HALF_FIRST, HeadStage.Batches.forFreshHeads(200_000, 1024));
    assertEquals(HeadStage.Batches.HALF_FIRST, HeadStage.Batches.forFreshHeads(64 * 1024, 1024));
    for (HeadStage.Batches b : HeadStage.Batches.values()) {
      double boost = b == HeadStage.Batches.RISING ? HeadStage.FRESH_RATE_BOOST : 1;
      assertEquals(boost, b.rate(0), 0, b + ", pass 0");
      assertEquals(boost, b.rate(HeadStage.BOOSTED_PASSES - 1), 0, b + ", last boosted pass");
      assertEquals(1, b.rate(HeadStage.BOOSTED_PASSES), 0, b + ", after the boosted passes");
    }
  }

  @Test
  void embeddingTableOfDepthZeroTrunkIsTheFeatures() {
    VideoDataset data = TrainFixtures.separableVideos(23, DIM, 3, 1);
    EmbeddingTable t = table(data, passThrough(3), 2);
    assertEquals(23, t.rows());
    assertEquals(DIM, t.dim());
    assertArrayEquals(data.features(), t.values());
    assertArrayEquals(data.labelOffsets(), t.labelOffsets());
  }

  @Test
  void separableClassesReachLowLossAndHighGap() {
    VideoDataset data = TrainFixtures.separableVideos(80, DIM, 3, 2);
    TrainConfig c = TrainFixtures.config(7, 0, 1, HeadConfig.fixed(2, 1e-4f), 2, 200, 0, 16);
    VideoModel before = passThrough(3);
    EmbeddingTable t = table(data, before, 2);
    double lossBefore = meanLoss(before, t);
    VideoModel after = runHeads(data, c, 2);
    assertEquals(ExpertAllocation.fixed(3, 2), after.allocation());
    double lossAfter = meanLoss(after, t);
    assertTrue(lossAfter < 0.25 && lossAfter < lossBefore / 4, "loss " + lossBefore + " -> " + lossAfter);
    double gap = ModelEvaluation.evaluate(after, data, 20, 16).gap();
    assertTrue(gap > 0.97, "train GAP " + gap);
  }

  @Test
  void oneAndTwoThreadsGiveIdenticalHeads() {
    VideoDataset data = TrainFixtures.separableVideos(50, DIM, 3, 3);
    TrainConfig c = TrainFixtures.config(9, 0, 1, HeadConfig.fixed(2, 1e-3f), 2, 30, 0, 8);
    VideoModel one = runHeads(data, c, 1);
    VideoModel two = runHeads(data, c, 2);
    assertEquals(one.allocation(), two.allocation());
    assertArrayEquals(one.headParams(), two.headParams());
  }

  /** With no optimizer iterations the heads are their per-class initialization, whatever the grouping. */
  @Test
  void initializationDoesNotDependOnGrouping() {
    VideoDataset data = TrainFixtures.separableVideos(30, DIM, 3, 4);
    HeadConfig hc = new HeadConfig(true, 3, 6, 1e-3f);
    VideoModel g1 = runHeads(data, TrainFixtures.config(5, 0, 1, hc, 1, 0, 0, 8), 2);
    VideoModel g3 = runHeads(data, TrainFixtures.config(5, 0, 1, hc, 3, 0, 0, 8), 2);
    assertEquals(g1.allocation(), g3.allocation());
    assertArrayEquals(g1.headParams(), g3.headParams());
    VideoModel otherSeed = runHeads(data, TrainFixtures.config(6, 0, 1, hc, 3, 0, 0, 8), 2);
    assertNotEquals(java.util.Arrays.toString(g1.headParams()), java.util.Arrays.toString(otherSeed.headParams()));
  }

  /** Each class's columns in the full heads are the columns its group task trained. */
  @Test
  void scatterPutsEachClassWhereTheFullAllocationSays() {
    VideoDataset data = TrainFixtures.separableVideos(40, DIM, 4, 5);
    long[] positives = data.positivesPerClass(4);
    // adaptive: class 3 (rarer) gets one expert, the others more, so group and full offsets differ
    HeadConfig hc = new HeadConfig(true, 3, (int) positives[3], 1e-3f);
    TrainConfig c = TrainFixtures.config(11, 0, 1, hc, 2, 15, 0, 8);
    ExpertAllocation full = hc.allocate(positives);
    assertTrue(full.maxExperts() > full.experts(3), java.util.Arrays.toString(full.expertsPerClass()));
    VideoModel model = runHeads(data, c, 2);
    assertEquals(full, model.allocation());
    List<int[]> groups = ClassGroups.balance(full.expertsPerClass(), 2);
    assertEquals(2, groups.size());
    EmbeddingTable t = table(data, passThrough(4), 1);
    HeadStage stage = new HeadStage(c);
    MoeHeads fh = model.heads();
    float[] fp = model.headParams();
    int covered = 0;
    for (int[] classes : groups) {
      HeadStage.GroupResult r = stage.trainGroup(full, classes, t, 1);
      ExpertAllocation ga = full.select(classes);
      MoeHeads gh = new MoeHeads(DIM, ga);
      assertEquals(gh.layout().size(), r.params().length);
      for (int i = 0; i < classes.length; i++) {
        int k = classes[i];
        int e = full.experts(k);
        covered += compare(r.params(), gh.expertWeights(), ga.totalExperts(), ga.expertOffset(i),
            fp, fh.expertWeights(), full.totalExperts(), full.expertOffset(k), e, DIM, "class " + k + " expert.w");
        covered += compare(r.params(), gh.expertBias(), ga.totalExperts(), ga.expertOffset(i),
            fp, fh.expertBias(), full.totalExperts(), full.expertOffset(k), e, 1, "class " + k + " expert.b");
        covered += compare(r.params(), gh.gateWeights(), ga.totalGates(), ga.gateOffset(i),
            fp, fh.gateWeights(), full.totalGates(), full.gateOffset(k), e + 1, DIM, "class " + k + " gate.w");
        covered += compare(r.params(), gh.gateBias(), ga.totalGates(), ga.gateOffset(i),
            fp, fh.gateBias(), full.totalGates(), full.gateOffset(k), e + 1, 1, "class " + k + " gate.b");
      }
    }
    assertEquals(fp.length, covered, "every head parameter belongs to exactly one class");
  }

  private static int compare(float[] gp, TensorRef gt, int gw, int gc, float[] fp, TensorRef ft, int fw, int fc,
      int count, int rows, String what) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < count; c++) {
        assertEquals(gp[gt.offset() + r * gw + gc + c], fp[ft.offset() + r * fw + fc + c],
            what + " row " + r + " col " + c);
      }
    }
    return count * rows;
  }

  /** Heads trained by one Stage 1 on a pass-through trunk, and what the next Stage 1 makes of them. */
  static VideoModel nextStage(VideoDataset data, VideoModel previous, TrainConfig c) {
    EmbeddingTable t = table(data, previous, 2);
    try (LocalEngine e = new LocalEngine(data, 2)) {
      return new HeadStage(c).run(e, previous, t, data.positivesPerClass(classes(data)), 2).model();
    }
  }

  /** With no iterations, continuing keeps the previous heads exactly, whatever the grouping; fresh heads do not. */
  @Test
  void continuingStartsFromThePreviousHeads() {
    VideoDataset data = TrainFixtures.separableVideos(40, DIM, 4, 6);
    HeadConfig hc = new HeadConfig(true, 3, 8, 1e-3f);
    VideoModel first = runHeads(data, TrainFixtures.config(5, 0, 1, hc, 2, 15, 0, 8), 2);
    assertTrue(first.allocation().maxExperts() > 1, "adaptive experts differ by class");
    VideoModel kept = nextStage(data, first, TrainFixtures.config(5, 0, 2, hc, 3, 0, 0, 8).withContinueHeads(true));
    assertEquals(first.allocation(), kept.allocation());
    assertArrayEquals(first.headParams(), kept.headParams());
    VideoModel fresh = nextStage(data, first, TrainFixtures.config(5, 0, 2, hc, 3, 0, 0, 8));
    assertNotEquals(java.util.Arrays.toString(first.headParams()), java.util.Arrays.toString(fresh.headParams()));
  }

  /** Stage 1's objective: mean loss plus the heads' L2 penalty. */
  static double objective(VideoModel m, EmbeddingTable t, double lambda) {
    return meanLoss(m, t) + m.heads().l2(m.headParams(), lambda, new float[m.headParams().length]);
  }

  /** Continuing L-BFGS starts at the previous objective, so it ends at or below it; fresh heads start far above. */
  @Test
  void continuingDoesNotLoseWhatThePreviousRoundLearned() {
    VideoDataset data = TrainFixtures.separableVideos(60, DIM, 3, 7);
    HeadConfig hc = HeadConfig.fixed(2, 1e-3f);
    VideoModel first = runHeads(data, TrainFixtures.config(5, 0, 1, hc, 2, 20, 0, 8), 2);
    EmbeddingTable t = table(data, first, 1);
    double before = objective(first, t, 1e-3);
    VideoModel continued = nextStage(data, first, TrainFixtures.config(5, 0, 2, hc, 2, 3, 0, 8).withContinueHeads(true));
    VideoModel fresh = nextStage(data, first, TrainFixtures.config(5, 0, 2, hc, 2, 3, 0, 8));
    double afterContinued = objective(continued, t, 1e-3);
    double afterFresh = objective(fresh, t, 1e-3);
    assertTrue(afterContinued <= before + 1e-6, before + " -> " + afterContinued);
    assertTrue(afterFresh > afterContinued + 0.01, "fresh " + afterFresh + " vs continued " + afterContinued);
  }

  /**
   * When the model's heads have other experts per class (after pre-training), continuing grows
   * them: with no iterations the stage's heads score as the model's did (up to the copies' jitter,
   * a second-order change), and they are not fresh heads.
   */
  @Test
  void continuingFromOtherExpertCountsGrowsTheHeads() {
    VideoDataset data = TrainFixtures.separableVideos(30, DIM, 3, 8);
    VideoModel trained = runHeads(data, TrainFixtures.config(5, 0, 1, HeadConfig.fixed(1, 1e-3f), 2, 15, 0, 8), 2);
    TrainConfig c = TrainFixtures.config(5, 0, 1, HeadConfig.fixed(4, 1e-3f), 2, 0, 0, 8);
    VideoModel continued = nextStage(data, trained, c.withContinueHeads(true));
    VideoModel fresh = nextStage(data, trained, c);
    assertEquals(ExpertAllocation.fixed(3, 4), continued.allocation());
    EmbeddingTable t = table(data, trained, 1);
    float[] before = probabilities(trained, t);
    float[] grown = probabilities(continued, t);
    float[] afresh = probabilities(fresh, t);
    double moved = 0;
    double freshMoved = 0;
    for (int i = 0; i < before.length; i++) {
      moved = Math.max(moved, Math.abs(grown[i] - before[i]));
      freshMoved = Math.max(freshMoved, Math.abs(afresh[i] - before[i]));
    }
    assertTrue(moved < 0.01, "grown heads moved a probability by " + moved);
    assertTrue(freshMoved > 0.1, "fresh heads moved a probability by only " + freshMoved);
  }

  /** Every video's class probabilities from the table's embeddings. */
  private static float[] probabilities(VideoModel m, EmbeddingTable t) {
    float[] all = new float[(int) t.rows() * m.heads().numClasses()];
    int[] at = {0};
    t.forEachChunk(16, (emb, rows, labels, offsets, keys) -> {
      float[] p = new float[rows * m.heads().numClasses()];
      m.heads().forward(m.headParams(), emb, rows, p, m.heads().newScratch());
      System.arraycopy(p, 0, all, at[0], p.length);
      at[0] += p.length;
    });
    return all;
  }

  /**
   * Stage 1 by mini-batch Adam: the same heads on one thread and on three (groups are tasks), the
   * reported loss is the final objective (mean loss plus the L2 penalty), more passes fit better,
   * and a group takes at least {@link HeadStage#MIN_ADAM_STEPS} steps whatever the passes asked.
   */
  @Test
  void adamTrainsTheGroupsAlikeOnAnyThreadsAndReportsItsObjective() {
    VideoDataset data = TrainFixtures.separableVideos(96, DIM, 5, 17);
    TrainConfig few = twoAdamPasses(16);
    // 96 videos in batches of 16: 6 steps a pass, so the minimum of steps takes ceil(800 / 6) passes.
    int minimum = (HeadStage.MIN_ADAM_STEPS + 5) / 6;
    TrainConfig atMinimum = few.withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, minimum);
    TrainConfig many = few.withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 3 * minimum);
    assertArrayEquals(runHeads(data, atMinimum, 2).headParams(), runHeads(data, few, 2).headParams(),
        "2 passes asked, the minimum of steps taken");
    VideoModel one = runHeads(data, many, 1);
    VideoModel three = runHeads(data, many, 3);
    assertArrayEquals(one.headParams(), three.headParams());
    EmbeddingTable t = table(data, passThrough(5), 1);
    double fit = objective(one, t, 1e-3);
    double rough = objective(runHeads(data, atMinimum, 2), t, 1e-3);
    assertTrue(fit < rough, 3 * minimum + " passes " + fit + " against " + minimum + " passes " + rough);
    StageResult r;
    try (LocalEngine e = new LocalEngine(data, 2)) {
      r = new HeadStage(many).run(e, passThrough(5), t, data.positivesPerClass(5), 1);
    }
    assertArrayEquals(one.headParams(), r.model().headParams());
    // The groups' last-pass means, each with its own penalty, sum to about the whole objective.
    assertEquals(fit, r.loss(), 0.1 * fit);
  }

  /**
   * Fresh heads on a table of {@link HeadStage#MIN_RISING_STEPS} batches or more start on smaller
   * batches (rising ones, or half ones for a pass on a table of {@link HeadStage#FEW_STEPS} or
   * more), which trains other heads, the same on any threads; a table of fewer batches, or of rows
   * not known, keeps the full batch throughout.
   */
  @Test
  void freshHeadsOnASmallTableStartOnSmallerBatches() {
    VideoDataset data = TrainFixtures.separableVideos(96, DIM, 5, 17);
    TrainConfig c = twoAdamPasses(8);
    EmbeddingTable t = table(data, passThrough(5), 1);
    java.util.function.BiFunction<Long, Integer, float[]> heads = (rows, threads) -> {
      try (LocalEngine e = new LocalEngine(data, threads)) {
        return new HeadStage(c).run(e, passThrough(5), t, rows, data.positivesPerClass(5), 1).model().headParams();
      }
    };
    float[] unknown = heads.apply(-1L, 2);
    assertArrayEquals(unknown, heads.apply((long) HeadStage.MIN_RISING_STEPS * 8 - 1, 2));
    float[] halfFirst = heads.apply((long) HeadStage.FEW_STEPS * 8, 2);
    assertFalse(Arrays.equals(unknown, halfFirst), "a first pass of half batches trains other heads");
    assertArrayEquals(halfFirst, heads.apply((long) HeadStage.FEW_STEPS * 8, 1));
    float[] rising = heads.apply(96L, 1); // 12 batches of 8
    assertFalse(Arrays.equals(unknown, rising), "smaller first batches train other heads");
    assertArrayEquals(rising, heads.apply(96L, 3));
  }

  /**
   * With a held-out slice, each group stops once its held-out loss has not improved for the
   * patience (here on random labels, which the heads can only memorize), and the heads are the same
   * on any number of threads.
   */
  @Test
  void adamStopsEachGroupOnItsHeldOutLoss() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(21);
    int n = 200;
    String[] ids = new String[n];
    int[][] labels = new int[n][];
    float[] features = new float[n * DIM];
    for (int v = 0; v < n; v++) {
      ids[v] = "v" + v;
      labels[v] = new int[] {r.nextInt(3)};
      for (int j = 0; j < DIM; j++) {
        features[v * DIM + j] = (float) r.nextDouble(-1, 1);
      }
    }
    VideoDataset data = VideoDataset.of(org.vidar.data.FeatureSpec.Level.VIDEO, DIM, ids, labels, features, null);
    TrainConfig base = TrainFixtures.config(4, 0, 1, HeadConfig.fixed(2, 0f), 2, 1, 0, 8);
    TrainConfig c = new TrainConfig(base.seed(), 0, 16, org.vidar.optim.AdamConfig.of(0.05), base.pretrainHeads(),
        1, base.heads(), 2, base.lbfgs(), 0, base.irprop(), 0f, 8)
        .withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 300).withPretrainHoldout(0.3, 2);
    EmbeddingTable t = table(data, passThrough(3), 1);
    ExpertAllocation full = c.heads().allocate(data.positivesPerClass(3));
    HeadStage.GroupResult g = new HeadStage(c).trainGroup(full, new int[] {0, 1, 2}, t, 1);
    int stepsPerPass = (int) Math.ceil(n * 0.7 / 16) + 2;
    assertTrue(g.optimization().iterations() < 100 * stepsPerPass,
        "stopped early: " + g.optimization().iterations() + " steps");
    assertEquals(org.vidar.optim.StopReason.LOSS_CHANGE, g.optimization().reason());
    assertArrayEquals(runHeads(data, c, 1).headParams(), runHeads(data, c, 3).headParams());
  }

  /**
   * Heads that start trained are scored as pass 0: when every pass makes the held-out loss worse
   * (Adam at a rate of 5 here), each group keeps its starting heads exactly, and the stage says so.
   */
  @Test
  void continuedGroupsThatNoPassImprovesKeepTheirStartAndSaySo() {
    VideoDataset data = TrainFixtures.separableVideos(120, DIM, 4, 31);
    TrainConfig base = TrainFixtures.config(4, 0, 1, HeadConfig.fixed(2, 0f), 2, 1, 0, 8);
    java.util.function.DoubleFunction<TrainConfig> adamAt = lr -> new TrainConfig(base.seed(), 0, 16,
        org.vidar.optim.AdamConfig.of(lr), base.pretrainHeads(), 1, base.heads(), 2, base.lbfgs(), 0, base.irprop(),
        0f, 8).withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 5).withPretrainHoldout(0.3, 2);
    VideoModel first = runHeads(data, adamAt.apply(0.05), 2);
    EmbeddingTable t = table(data, first, 2);
    StageResult wrecked;
    StageResult careful;
    try (LocalEngine e = new LocalEngine(data, 2)) {
      wrecked = new HeadStage(adamAt.apply(5.0).withContinueHeads(true)).run(e, first, t, data.positivesPerClass(4), 2);
      careful = new HeadStage(adamAt.apply(1e-4).withContinueHeads(true)).run(e, first, t, data.positivesPerClass(4),
          2);
    }
    assertArrayEquals(first.headParams(), wrecked.model().headParams());
    assertEquals("2 of 2 class groups kept the heads they started from (the model's, grown to 2 experts a class at "
        + "most): no pass lowered their held-out loss", wrecked.remark());
    assertFalse(Arrays.equals(first.headParams(), careful.model().headParams()), "small steps improved on the start");
    assertTrue(careful.remark() == null || careful.remark().startsWith("1 of 2 "), careful.remark());
  }

  /**
   * With a held-out slice each class group stops on its own, also when a task trains several
   * groups in one set of GEMMs: with four groups of one class each (two classes separable, two
   * random, so they stop after different passes), the heads are the same from one task holding
   * all four groups (one worker), from three tasks (three workers), and from each group trained
   * alone; finished groups leaving a task's GEMMs change nothing either.
   */
  @Test
  void adamHeadsDoNotDependOnHowGroupsShareTasks() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    int n = 240;
    String[] ids = new String[n];
    int[][] labels = new int[n][];
    float[] features = new float[n * DIM];
    for (int v = 0; v < n; v++) {
      ids[v] = "v" + v;
      for (int j = 0; j < DIM; j++) {
        features[v * DIM + j] = (float) r.nextDouble(-1, 1);
      }
      java.util.List<Integer> l = new java.util.ArrayList<>();
      if (features[v * DIM] > 0) {
        l.add(0);
      }
      if (features[v * DIM + 1] > 0.3) {
        l.add(1);
      }
      if (r.nextInt(3) == 0) {
        l.add(2);
      }
      if (r.nextInt(2) == 0) {
        l.add(3);
      }
      labels[v] = l.stream().mapToInt(Integer::intValue).toArray();
    }
    VideoDataset data = VideoDataset.of(org.vidar.data.FeatureSpec.Level.VIDEO, DIM, ids, labels, features, null);
    TrainConfig base = TrainFixtures.config(4, 0, 1, HeadConfig.fixed(2, 0f), 1, 1, 0, 8);
    java.util.function.IntFunction<TrainConfig> grouped = groups -> new TrainConfig(base.seed(), 0, 16,
        org.vidar.optim.AdamConfig.of(0.05), base.pretrainHeads(), 1, base.heads(), groups, base.lbfgs(), 0,
        base.irprop(), 0f, 8).withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 100).withPretrainHoldout(0.3, 2);
    EmbeddingTable t = table(data, passThrough(4), 1);
    ExpertAllocation full = grouped.apply(1).heads().allocate(data.positivesPerClass(4));
    int[] passes = new int[4];
    for (int k = 0; k < 4; k++) {
      passes[k] = new HeadStage(grouped.apply(4)).trainGroup(full, new int[] {k}, t, 1).optimization().evaluations();
    }
    assertTrue(java.util.Arrays.stream(passes).distinct().count() > 1,
        "the classes stop after different passes: " + java.util.Arrays.toString(passes));
    float[] oneTask = runHeads(data, grouped.apply(4), 1).headParams();
    assertArrayEquals(oneTask, runHeads(data, grouped.apply(4), 3).headParams(), 1e-6f, "three tasks");
    MoeHeads fullHeads = new MoeHeads(DIM, full);
    float[] alone = fullHeads.newParams();
    for (int k = 0; k < 4; k++) {
      int[] one = {k};
      fullHeads.scatter(fullHeads.select(one), new HeadStage(grouped.apply(4)).trainGroup(full, one, t, 1).params(),
          one, alone);
    }
    assertArrayEquals(oneTask, alone, 1e-6f, "each group alone");
  }

  /**
   * On the local engine an observer sees every group after every Adam pass, in order from pass 1,
   * and the heads it sees after a group's last pass are that group's result (no held-out slice, so
   * no best pass is restored).
   */
  @Test
  void anObserverSeesEveryAdamPassOfEveryGroup() {
    VideoDataset data = TrainFixtures.separableVideos(64, DIM, 4, 5);
    TrainConfig base = TrainFixtures.config(4, 0, 1, HeadConfig.fixed(2, 0f), 2, 1, 0, 8);
    TrainConfig c = new TrainConfig(base.seed(), 0, 16, org.vidar.optim.AdamConfig.of(0.05), base.pretrainHeads(),
        1, base.heads(), 2, base.lbfgs(), 0, base.irprop(), 0f, 8)
        .withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 3);
    VideoModel m = passThrough(4);
    EmbeddingTable t = table(data, m, 2);
    java.util.Map<Integer, List<Integer>> passes = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.Map<Integer, float[]> last = new java.util.concurrent.ConcurrentHashMap<>();
    StageResult r;
    try (LocalEngine e = new LocalEngine(data, 2)) {
      r = new HeadStage(c, (classes, pass, params) -> {
        passes.computeIfAbsent(classes[0], k -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()))
            .add(pass);
        last.put(classes[0], params.clone());
      }).run(e, m, t, data.positivesPerClass(4), 1);
    }
    assertEquals(2, passes.size(), "both groups seen: " + passes);
    // 4 batches of 16 a pass: at least 800 steps make 200 passes.
    int expected = HeadStage.MIN_ADAM_STEPS / 4;
    for (List<Integer> seen : passes.values()) {
      assertEquals(expected, seen.size());
      for (int i = 0; i < seen.size(); i++) {
        assertEquals(i + 1, seen.get(i));
      }
    }
    // The observed last passes, scattered, are the stage's heads.
    org.vidar.model.moe.MoeHeads heads = new org.vidar.model.moe.MoeHeads(DIM, r.model().allocation());
    float[] full = heads.newParams();
    List<int[]> groups = org.vidar.model.moe.ClassGroups.balance(r.model().allocation().expertsPerClass(), 2);
    for (int[] g : groups) {
      heads.scatter(heads.select(g), last.get(g[0]), g, full);
    }
    assertArrayEquals(r.model().headParams(), full);
    assertEquals(2 * expected, r.optimization().evaluations(), "the passes of both groups");
    assertEquals(expected, r.passes(), 1e-9, "whole passes: each group's passes by its share of the columns");
  }
}
