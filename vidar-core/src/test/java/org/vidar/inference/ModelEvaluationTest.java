package org.vidar.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.EvalReport;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.train.TrainFixtures;

class ModelEvaluationTest {
  private static final VideoDataset DATA = TrainFixtures.separableVideos(37, 4, 5, 11);
  private static final ModelConfig MC = TrainFixtures.videoModel(4, 5, List.of(6), false);
  private static final VideoModel MODEL = VideoModel.initialize(MC, ExpertAllocation.fixed(5, 2),
      new java.util.SplittableRandom(3));

  /**
   * Scoring in ranges (as pre-training scores its held-out videos, a chunk a thread) with worker
   * scorers writes each video's probabilities where the whole-batch scorer does, at the offset
   * asked, and the report from them, added in order, is the streaming evaluation's to the last bit.
   */
  @Test
  void rangesScoredApartGiveTheWholeEvaluation() {
    int k = MC.numClasses();
    float[] probs = new float[(DATA.size() + 2) * k];
    ModelEvaluation.score(MODEL.newWorkerScorer(), DATA, 0, 15, 4, probs, 2 * k);
    ModelEvaluation.score(MODEL.newWorkerScorer(), DATA, 15, DATA.size(), 7, probs, 17 * k);
    VideoBatch all = new VideoBatch(DATA.level(), DATA.dimension());
    all.gather(DATA, null, 0, DATA.size());
    float[] whole = new float[DATA.size() * k];
    MODEL.newScorer().score(all, whole);
    assertArrayEquals(whole, java.util.Arrays.copyOfRange(probs, 2 * k, probs.length));
    assertArrayEquals(new float[2 * k], java.util.Arrays.copyOfRange(probs, 0, 2 * k), "before the offset");
    YouTube8mEvaluator evaluator = new YouTube8mEvaluator(k, 3);
    for (int i = 0; i < DATA.size(); i++) {
      evaluator.addScores(whole, i * k, DATA.labelsOf(i));
    }
    EvalReport fromProbs = evaluator.report();
    EvalReport streamed = ModelEvaluation.evaluate(MODEL, DATA, 3, 5);
    assertEquals(streamed.gap(), fromProbs.gap(), 0);
    assertEquals(streamed.hit1(), fromProbs.hit1(), 0);
    assertEquals(streamed.perr(), fromProbs.perr(), 0);
    assertEquals(streamed.map(), fromProbs.map(), 0);
    assertEquals(DATA.size(), fromProbs.videos());
  }
}
