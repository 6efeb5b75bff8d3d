package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.FeatureSpec;
import org.vidar.model.HeadConfig;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;

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
      TrunkStage stage = new TrunkStage(c);
      VideoModel out = stage.run(e, m);
      if (steps > 0) {
        assertNotNull(stage.lastResult());
        assertEquals(meanLoss(out, data), stage.lastResult().loss(), 1e-4, "reported loss is the final model's");
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
    ModelConfig mc = new ModelConfig(TrainFixtures.spec(FeatureSpec.Level.FRAME, 4, 2),
        new TrunkConfig.Dbof(5, true, TrunkConfig.Pooling.SWAP, 4, true, 0), HeadConfig.fixed(1, 0f), 2);
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
      TrunkStage stage = new TrunkStage(c);
      assertSame(m, stage.run(e, m));
      assertNull(stage.lastResult());
    }
  }
}
