package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.vidar.model.moe.ExpertAllocation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.HeadConfig;

class TrainerTest {

  /** GAP of scoring every video with the training class frequencies (no features used). */
  static double priorGap(VideoDataset train, VideoDataset val, int k) {
    long[] pos = train.positivesPerClass(k);
    float[] prior = new float[k];
    for (int c = 0; c < k; c++) {
      prior[c] = (float) pos[c] / train.size();
    }
    YouTube8mEvaluator ev = new YouTube8mEvaluator(k, 20);
    for (int v = 0; v < val.size(); v++) {
      ev.addScores(prior, 0, val.labelsOf(v));
    }
    return ev.report().gap();
  }

  @Test
  void oneRoundEndToEnd() {
    int k = 4;
    VideoDataset train = TrainFixtures.separableVideos(96, 4, k, 31);
    VideoDataset val = TrainFixtures.separableVideos(48, 4, k, 32);
    ModelConfig mc = TrainFixtures.videoModel(4, k, List.of(8), true);
    TrainConfig c = TrainFixtures.config(13, 5, 1, HeadConfig.fixed(2, 1e-4f), 2, 40, 5, 16);
    List<String> stages = new ArrayList<>();
    List<VideoModel> models = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    VideoModel out;
    try (LocalEngine e = new LocalEngine(train, 2)) {
      out = new Trainer(c).train(e, mc, (stage, result, seconds) -> {
        stages.add(stage);
        models.add(result.model());
        losses.add(result.loss());
        assertTrue(seconds >= 0);
      });
    }
    assertEquals(List.of("pretrain", "round 1 heads", "round 1 trunk"), stages);
    models.forEach(m -> assertNotNull(m));
    assertTrue(Double.isFinite(losses.get(0)) && losses.get(0) > 0, "pretrain loss " + losses.get(0));
    assertTrue(Double.isFinite(losses.get(1)) && losses.get(1) > 0, "heads loss " + losses.get(1));
    assertTrue(Double.isFinite(losses.get(2)) && losses.get(2) > 0, "trunk loss " + losses.get(2));
    assertEquals(models.get(2), out);
    assertEquals(ExpertAllocation.fixed(out.config().numClasses(), 2), out.allocation(),
        "the stage-1 heads replace the small ones");
    // stage 2 keeps stage 1's heads
    assertTrue(models.get(1).headParams() == out.headParams());
    assertFalse(java.util.Arrays.equals(models.get(1).trunkParams(), out.trunkParams()));

    double prior = priorGap(train, val, k);
    double gap = ModelEvaluation.evaluate(out, val, 20, 16).gap();
    assertTrue(gap > 0.85 && gap > prior + 0.2, "validation GAP " + gap + " vs prior baseline " + prior);
  }

  /**
   * Heads on the features have no trunk: pre-training would train only small heads that round 1
   * replaces, so it is skipped and Stage 1 trains the heads from scratch; a second round would only
   * repeat the first, so it is not run either.
   */
  @Test
  void withoutATrunkStageOneIsAllTheTraining() {
    int k = 3;
    VideoDataset train = TrainFixtures.separableVideos(40, 4, k, 8);
    VideoDataset val = TrainFixtures.separableVideos(40, 4, k, 9);
    ModelConfig mc = TrainFixtures.videoModel(4, k, List.of(), false);
    TrainConfig c = TrainFixtures.config(13, 1, 3, HeadConfig.fixed(2, 1e-4f), 1, 5, 5, 16);
    List<String> stages = new ArrayList<>();
    List<String> events = new ArrayList<>();
    VideoModel out;
    try (LocalEngine e = new LocalEngine(train, 2)) {
      out = new Trainer(c).train(e, mc, new Trainer.Listener() {
        @Override
        public void stageDone(String stage, StageResult result, double seconds) {
          stages.add(stage);
        }

        @Override
        public void epochDone(int epoch, StageResult result, double seconds) {
          events.add("epoch " + epoch);
        }

        @Override
        public void pretrainSkipped() {
          events.add("skipped");
        }
      });
    }
    assertEquals(List.of("round 1 heads", "round 1 trunk"), stages);
    assertEquals(List.of("skipped"), events, "no pre-training epoch runs");
    double gap = ModelEvaluation.evaluate(out, val, 20, 16).gap();
    assertTrue(gap > priorGap(train, val, k) + 0.2, "Stage 1 alone learns: validation GAP " + gap);

    // Without rounds, pre-training is all there is, so it runs.
    List<String> alone = new ArrayList<>();
    try (LocalEngine e = new LocalEngine(train, 2)) {
      new Trainer(TrainFixtures.config(13, 1, 0, HeadConfig.fixed(2, 1e-4f), 1, 5, 5, 16)).train(e, mc,
          (stage, result, seconds) -> alone.add(stage));
    }
    assertEquals(List.of("pretrain"), alone);
    // Heads that continue from round to round do learn more in later rounds: pre-training and those rounds run.
    List<String> continued = new ArrayList<>();
    try (LocalEngine e = new LocalEngine(train, 2)) {
      new Trainer(c.withContinueHeads(true)).train(e, mc, (stage, result, seconds) -> continued.add(stage));
    }
    assertEquals(7, continued.size(), continued.toString());
    assertEquals("pretrain", continued.get(0));
  }
}
