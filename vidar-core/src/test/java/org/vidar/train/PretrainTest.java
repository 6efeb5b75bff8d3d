package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.batch.VideoDataset;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.HeadConfig;

class PretrainTest {
  static final VideoDataset DATA = TrainFixtures.separableVideos(64, 4, 3, 21);
  static final ModelConfig MC = TrainFixtures.videoModel(4, 3, List.of(8), true);

  static TrainConfig config(long seed, int epochs) {
    return TrainFixtures.config(seed, epochs, 1, HeadConfig.fixed(2, 0f), 1, 10, 0, 8);
  }

  @Test
  void lossDecreasesOverEpochs() {
    double one = new Pretrain(config(3, 1)).run(DATA, MC).loss();
    StageResult many = new Pretrain(config(3, 30)).run(DATA, MC);
    VideoModel m = many.model();
    assertTrue(many.loss() < 0.7 * one, one + " -> " + many.loss());
    assertEquals(ExpertAllocation.fixed(3, 1), m.allocation(), "pre-training uses the small heads");
    double gap = ModelEvaluation.evaluate(m, DATA, 20, 16).gap();
    assertTrue(gap > 0.9, "train GAP " + gap);
  }

  @Test
  void deterministicForASeed() {
    VideoModel a = new Pretrain(config(5, 3)).run(DATA, MC).model();
    VideoModel b = new Pretrain(config(5, 3)).run(DATA, MC).model();
    assertArrayEquals(a.trunkParams(), b.trunkParams());
    assertArrayEquals(a.headParams(), b.headParams());
    VideoModel c = new Pretrain(config(6, 3)).run(DATA, MC).model();
    assertFalse(Arrays.equals(a.trunkParams(), c.trunkParams()));
  }

  @Test
  void zeroEpochsKeepTheInitialization() {
    StageResult p = new Pretrain(config(5, 0)).run(DATA, MC);
    VideoModel m = p.model();
    assertTrue(Double.isNaN(p.loss()));
    VideoModel init = VideoModel.initialize(MC, ExpertAllocation.fixed(3, 1),
        Seeds.stream(5, 0));
    assertArrayEquals(init.trunkParams(), m.trunkParams());
    assertArrayEquals(init.headParams(), m.headParams());
  }

  @Test
  void frameLevelWithBatchNormLearns() {
    VideoDataset data = TrainFixtures.separableFrames(48, 4, 2, 22);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 6, true, 5, true);
    double one = new Pretrain(config(3, 1)).run(data, mc).loss();
    StageResult many = new Pretrain(config(3, 20)).run(data, mc);
    VideoModel m = many.model();
    assertTrue(many.loss() < 0.8 * one, one + " -> " + many.loss());
    // training-mode batch norm moved the running statistics away from (0, 1)
    float[] tp = m.trunkParams();
    var rm = m.trunk().layout().get("trunk/frame_bn/running_mean");
    boolean moved = false;
    for (int i = 0; i < rm.size(); i++) {
      moved |= tp[rm.offset() + i] != 0f;
    }
    assertTrue(moved);
  }

  /** The parts of a mini-batch run on any number of threads give the same model, bit for bit. */
  @Test
  void threadsDoNotChangeTheModel() {
    assertOneAndThreeThreadsAgree(5); // batches of 24: 5 parts
  }

  /**
   * A batch is cut into parts of at most a part's videos and at least two, so that two cores share
   * a batch no longer than a part; the parts follow from the batch alone, so one thread or three
   * give the same model for such a batch too.
   */
  @Test
  void aBatchIsCutIntoAtLeastTwoPartsOfAtMostAPartsVideos() {
    assertEquals(2, Pretrain.parts(512, 512));
    assertEquals(2, Pretrain.parts(1024, 512));
    assertEquals(3, Pretrain.parts(1025, 512));
    assertEquals(2, Pretrain.parts(256, 128));
    assertEquals(2, Pretrain.parts(3, 512));
    assertEquals(1, Pretrain.parts(1, 512));
    assertOneAndThreeThreadsAgree(64); // batches of 24: 2 parts
  }

  /**
   * The heads run on the whole batch, their GEMMs cut into column blocks and their element-wise
   * pass into chunks of rows that the threads share: with heads wide enough to be cut (150 classes,
   * 300 expert and 450 gate columns: two blocks each) and batches of 300 (three chunks), one
   * thread and three give the same model, bit for bit, and it learns.
   */
  @Test
  void wholeBatchHeadsCutIntoBlocksAndChunksDoNotDependOnTheThreads() {
    VideoDataset data = TrainFixtures.separableVideos(900, 16, 150, 5);
    ModelConfig mc = TrainFixtures.videoModel(16, 150, List.of(8), false);
    TrainConfig c = TrainFixtures.config(3, 2, 1, HeadConfig.fixed(2, 1e-3f), 1, 10, 0, 8);
    TrainConfig big = new TrainConfig(c.seed(), 2, 300, c.adam(), HeadConfig.fixed(2, 1e-3f), 1, c.heads(),
        c.headGroups(), c.lbfgs(), 0, c.irprop(), 1e-4f, 8);
    StageResult one = new Pretrain(big, 1, Pretrain.PART_ROWS).run(data, mc);
    StageResult three = new Pretrain(big, 3, Pretrain.PART_ROWS).run(data, mc);
    assertArrayEquals(one.model().trunkParams(), three.model().trunkParams());
    assertArrayEquals(one.model().headParams(), three.model().headParams());
    assertEquals(one.loss(), three.loss(), 0);
    TrainConfig once = new TrainConfig(c.seed(), 1, 300, c.adam(), HeadConfig.fixed(2, 1e-3f), 1, c.heads(),
        c.headGroups(), c.lbfgs(), 0, c.irprop(), 1e-4f, 8);
    assertTrue(one.loss() < new Pretrain(once, 3, Pretrain.PART_ROWS).run(data, mc).loss(), "the second epoch's loss is lower");
  }

  /**
   * The held-out GAP pre-training keeps its best epoch by, scored a chunk a thread on two threads
   * (chunks of 5 videos: rounds of 10, the last short), is the single-threaded evaluation's, bit for bit.
   */
  @Test
  void heldOutGapScoredByThreadsIsTheEvaluations() throws Exception {
    VideoModel m = new Pretrain(config(5, 2)).run(DATA, MC).model();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      assertEquals(ModelEvaluation.evaluate(m, DATA, 20, 1024).gap(), Pretrain.heldOutGap(m, DATA, 5, pool, 2), 0);
      assertEquals(ModelEvaluation.evaluate(m, DATA, 20, 1024).gap(), Pretrain.heldOutGap(m, DATA, 1024, pool, 2), 0);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Per-tensor clipping: a limit no gradient reaches changes nothing, bit for bit; a limit far
   * below every gradient's norm scales each tensor's gradient down to it, where Adam's ε outweighs
   * it, so the parameters barely move (each of 4 steps moves a weight by at most lr·1e-4, against
   * steps near lr unclipped); and the threads still change nothing.
   */
  @Test
  void clippingScalesEachTensorsGradientAndThreadsDoNotChangeIt() {
    // No L2 penalty: its gradient is added after the clipping, and Adam would step on it alone.
    TrainConfig c = TrainFixtures.config(7, 4, 1, HeadConfig.fixed(2, 0f), 1, 10, 0, 8);
    TrainConfig big = new TrainConfig(c.seed(), 4, 16, c.adam(), HeadConfig.fixed(2, 0f), 1, c.heads(),
        c.headGroups(), c.lbfgs(), 0, c.irprop(), 0f, 8);
    VideoModel plain = new Pretrain(big, 2, 8).run(DATA, MC).model();
    VideoModel loose = new Pretrain(big.withPretrainClip(1e6), 2, 8).run(DATA, MC).model();
    assertArrayEquals(plain.trunkParams(), loose.trunkParams());
    assertArrayEquals(plain.headParams(), loose.headParams());
    VideoModel init = new Pretrain(big).initialModel(MC);
    VideoModel tight = new Pretrain(big.withPretrainClip(1e-14), 2, 8).run(DATA, MC).model();
    double lr = big.adam().learningRate();
    double moved = 0;
    double movedPlain = 0;
    for (int i = 0; i < init.trunkParams().length; i++) {
      moved = Math.max(moved, Math.abs(tight.trunkParams()[i] - init.trunkParams()[i]));
      movedPlain = Math.max(movedPlain, Math.abs(plain.trunkParams()[i] - init.trunkParams()[i]));
    }
    assertTrue(moved < 4 * lr * 1e-4, "clipped to 1e-14, a weight moved by " + moved);
    assertTrue(movedPlain > lr, "unclipped, the largest move was " + movedPlain);
    VideoModel one = new Pretrain(big.withPretrainClip(0.05), 1, 8).run(DATA, MC).model();
    VideoModel three = new Pretrain(big.withPretrainClip(0.05), 3, 8).run(DATA, MC).model();
    assertArrayEquals(one.trunkParams(), three.trunkParams());
    assertArrayEquals(one.headParams(), three.headParams());
    assertFalse(Arrays.equals(one.trunkParams(), plain.trunkParams()), "a clip of 0.05 binds here");
  }

  /**
   * Batch normalization in parts of a batch (ghost batches, each normalized by its own
   * statistics) runs the parts at once, and the threads still change nothing, running statistics
   * included: they move by each part's statistics in part order, after the parts ran.
   */
  @Test
  void batchNormPartsRunAtOnceAndThreadsDoNotChangeTheModel() {
    VideoDataset data = TrainFixtures.separableFrames(48, 4, 2, 23);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 6, false, 5, true);
    TrainConfig c = config(4, 3);
    TrainConfig big = new TrainConfig(c.seed(), 3, 24, c.adam(), c.pretrainHeads(), 1, c.heads(), c.headGroups(),
        c.lbfgs(), 0, c.irprop(), 1e-4f, 8);
    // Frame level: parts of a quarter of 20 rows = 5 videos, so batches of 24 run as 5 parts.
    VideoModel one = new Pretrain(big, 1, 20).run(data, mc).model();
    VideoModel three = new Pretrain(big, 3, 20).run(data, mc).model();
    assertArrayEquals(one.trunkParams(), three.trunkParams());
    assertArrayEquals(one.headParams(), three.headParams());
    VideoModel whole = new Pretrain(big, 3, 4 * 24).run(data, mc).model();
    assertFalse(Arrays.equals(one.trunkParams(), whole.trunkParams()), "ghost batches normalize otherwise");
    var rv = one.trunk().layout().get("trunk/video_bn/running_var");
    boolean moved = false;
    for (int i = 0; i < rv.size(); i++) {
      moved |= one.trunkParams()[rv.offset() + i] != 1f;
    }
    assertTrue(moved, "the parts' statistics were committed");
  }

  /**
   * A batch cut into parts trains the model the whole batch trains: the parts' gradient sums add
   * up to the batch's, up to float rounding (both L2 penalties on).
   */
  @Test
  void partsOfABatchTrainWhatTheWholeBatchTrains() {
    TrainConfig c = TrainFixtures.config(9, 2, 1, HeadConfig.fixed(2, 1e-3f), 1, 10, 0, 8);
    TrainConfig big = new TrainConfig(c.seed(), 2, 32, c.adam(), HeadConfig.fixed(2, 1e-3f), 1, c.heads(),
        c.headGroups(), c.lbfgs(), 0, c.irprop(), 1e-4f, 8);
    StageResult whole = new Pretrain(big, 2, 32).run(DATA, MC);
    StageResult parts = new Pretrain(big, 2, 7).run(DATA, MC);
    assertEquals(whole.loss(), parts.loss(), 1e-5 * Math.abs(whole.loss()));
    float[] a = whole.model().trunkParams();
    float[] b = parts.model().trunkParams();
    double moved = 0;
    float[] init = VideoModel.initialize(MC, ExpertAllocation.fixed(3, 2), Seeds.stream(9, 0)).trunkParams();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-4 * Math.max(1, Math.abs(a[i])), "trunk param " + i);
      moved += Math.abs(a[i] - init[i]);
    }
    assertTrue(moved > 1e-2, "training moved the trunk: " + moved);
    assertFalse(Arrays.equals(a, b), "the parts really ran (float sums differ in order)");
  }

  /**
   * With a held-out slice, pre-training stops once the held-out GAP has not improved for the
   * patience, and returns the best epoch's model, never training on a held-out video.
   */
  @Test
  void stopsWhenTheHeldOutVideosStopImprovingAndKeepsTheBest() throws java.io.IOException {
    VideoDataset data = TrainFixtures.separableVideos(400, 4, 3, 33);
    TrainConfig c = new TrainConfig(5, 60, 16, org.vidar.optim.AdamConfig.of(0.05), HeadConfig.fixed(2, 0f), 1,
        HeadConfig.fixed(2, 0f), 1, TrainConfig.stage1Optimizer(1), 0, org.vidar.optim.IRpropConfig.defaults(), 0f, 8)
        .withPretrainHoldout(0.3, 2);
    java.util.function.LongPredicate held = Pretrain.heldOut(c);
    int[] heldIndices = java.util.stream.IntStream.range(0, data.size()).filter(v -> held.test(data.key(v))).toArray();
    assertTrue(heldIndices.length > 80 && heldIndices.length < 160, "about 30 % held out: " + heldIndices.length);
    VideoDataset heldOut = data.subset(heldIndices);
    List<VideoModel> snapshots = new java.util.ArrayList<>();
    java.util.Set<Long> trainedOn = new java.util.HashSet<>();
    org.vidar.data.batch.InMemoryPretrainData inMemory = new org.vidar.data.batch.InMemoryPretrainData(data);
    org.vidar.data.batch.PretrainData recording = new org.vidar.data.batch.PretrainData() {
      @Override
      public FeatureSpec.Level level() {
        return inMemory.level();
      }

      @Override
      public int dimension() {
        return inMemory.dimension();
      }

      @Override
      public void epoch(int epoch, int batchSize, long seed, java.util.function.LongPredicate skip,
          java.util.function.Consumer<org.vidar.data.batch.VideoBatch> step) {
        inMemory.epoch(epoch, batchSize, seed, skip, b -> {
          for (int i = 0; i < b.rows; i++) {
            trainedOn.add(b.keys[i]);
          }
          step.accept(b);
        });
      }

      @Override
      public VideoDataset select(java.util.function.LongPredicate keep, int max) {
        return inMemory.select(keep, max);
      }
    };
    long[] reported = {-1, -1};
    StageResult r = new Pretrain(c).run(recording, MC, new Pretrain.EpochListener() {
      @Override
      public void epochDone(int e, StageResult result, double s) {
        snapshots.add(result.model());
      }

      @Override
      public void heldOut(long trained, int scored) {
        reported[0] = trained;
        reported[1] = scored;
      }
    });
    assertEquals(data.size() - heldIndices.length, reported[0], "videos trained on, reported");
    assertEquals(heldIndices.length, reported[1], "held-out videos scored, reported");
    for (int v : heldIndices) {
      assertFalse(trainedOn.contains(data.key(v)), "held-out video " + v + " was trained on");
    }
    assertEquals(data.size() - heldIndices.length, trainedOn.size());
    int best = 0;
    double bestGap = -1;
    for (int e = 0; e < snapshots.size(); e++) {
      double gap = ModelEvaluation.evaluate(snapshots.get(e), heldOut, 20, 1024).gap();
      if (gap > bestGap) {
        bestGap = gap;
        best = e;
      }
    }
    assertTrue(snapshots.size() < 60, "stopped early after " + snapshots.size() + " epochs");
    assertEquals(best + 2 + 1, snapshots.size(), "stopped the patience after the best epoch");
    assertArrayEquals(snapshots.get(best).trunkParams(), r.model().trunkParams());
    assertArrayEquals(snapshots.get(best).headParams(), r.model().headParams());
  }

  /**
   * Each epoch whose held-out GAP is not above every earlier one multiplies the learning rate by
   * the decay: with 0.5 and with 1 (a constant rate) the models are the same, bit for bit, up to the
   * first such epoch and differ from the next one on.
   */
  @Test
  void decaysTheLearningRateAfterEachEpochThatIsNotTheBest() throws java.io.IOException {
    VideoDataset data = TrainFixtures.separableVideos(400, 4, 3, 33);
    TrainConfig c = new TrainConfig(5, 12, 16, org.vidar.optim.AdamConfig.of(0.05), HeadConfig.fixed(2, 0f), 1,
        HeadConfig.fixed(2, 0f), 1, TrainConfig.stage1Optimizer(1), 0, org.vidar.optim.IRpropConfig.defaults(), 0f, 8)
        .withPretrainHoldout(0.3, 12);
    java.util.function.LongPredicate held = Pretrain.heldOut(c);
    VideoDataset heldOut = data.subset(
        java.util.stream.IntStream.range(0, data.size()).filter(v -> held.test(data.key(v))).toArray());
    List<VideoModel> constant = snapshots(c.withPretrainDecay(1), data);
    List<VideoModel> halving = snapshots(c.withPretrainDecay(0.5), data);
    assertEquals(12, constant.size());
    assertEquals(12, halving.size());
    int plateau = -1;
    double best = -1;
    for (int e = 0; e < constant.size() && plateau < 0; e++) {
      double gap = ModelEvaluation.evaluate(constant.get(e), heldOut, 20, 1024).gap();
      if (gap > best) {
        best = gap;
      } else {
        plateau = e;
      }
    }
    assertTrue(plateau >= 1 && plateau < 11, "the held-out GAP stalls within the run: epoch " + plateau);
    for (int e = 0; e <= plateau; e++) {
      assertArrayEquals(constant.get(e).trunkParams(), halving.get(e).trunkParams(), "epoch " + e);
      assertArrayEquals(constant.get(e).headParams(), halving.get(e).headParams(), "epoch " + e);
    }
    assertFalse(Arrays.equals(constant.get(plateau + 1).trunkParams(), halving.get(plateau + 1).trunkParams()),
        "the epoch after the plateau took smaller steps");
  }

  /** Pre-training with batches of 24 in parts of at most {@code partRows} videos: one thread and three give the same model. */
  private static void assertOneAndThreeThreadsAgree(int partRows) {
    TrainConfig c = TrainFixtures.config(7, 3, 1, HeadConfig.fixed(2, 1e-3f), 1, 10, 0, 8);
    TrainConfig big = new TrainConfig(c.seed(), 3, 24, c.adam(), HeadConfig.fixed(2, 1e-3f), 1, c.heads(),
        c.headGroups(), c.lbfgs(), 0, c.irprop(), 1e-4f, 8);
    VideoModel one = new Pretrain(big, 1, partRows).run(DATA, MC).model();
    VideoModel three = new Pretrain(big, 3, partRows).run(DATA, MC).model();
    assertArrayEquals(one.trunkParams(), three.trunkParams());
    assertArrayEquals(one.headParams(), three.headParams());
  }

  private static List<VideoModel> snapshots(TrainConfig c, VideoDataset data) throws java.io.IOException {
    List<VideoModel> out = new java.util.ArrayList<>();
    new Pretrain(c).run(new org.vidar.data.batch.InMemoryPretrainData(data), MC,
        (e, result, s) -> out.add(result.model()));
    return out;
  }
}
