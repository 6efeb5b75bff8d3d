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
import org.vidar.model.TrunkConfig;
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
    ModelConfig mc = new ModelConfig(TrainFixtures.spec(FeatureSpec.Level.FRAME, 4, 2),
        new TrunkConfig.Dbof(6, true, TrunkConfig.Pooling.SWAP, 5, true));
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
}
