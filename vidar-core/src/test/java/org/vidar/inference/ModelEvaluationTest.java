package org.vidar.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.EvalReport;
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
   * Scoring in ranges (as pre-training scores its held-out videos, a range a thread) with worker
   * scorers writes each video's probabilities where the whole-batch scorer does, and the report
   * from them is the streaming evaluation's, to the last bit.
   */
  @Test
  void rangesScoredApartGiveTheWholeEvaluation() {
    int k = MC.numClasses();
    float[] probs = new float[DATA.size() * k];
    ModelEvaluation.score(MODEL.newWorkerScorer(), DATA, 0, 15, 4, probs);
    ModelEvaluation.score(MODEL.newWorkerScorer(), DATA, 15, DATA.size(), 7, probs);
    VideoBatch all = new VideoBatch(DATA.level(), DATA.dimension());
    all.gather(DATA, null, 0, DATA.size());
    float[] whole = new float[DATA.size() * k];
    MODEL.newScorer().score(all, whole);
    assertArrayEquals(whole, probs);
    EvalReport streamed = ModelEvaluation.evaluate(MODEL, DATA, 3, 5);
    EvalReport fromProbs = ModelEvaluation.evaluate(DATA, probs, k, 3);
    assertEquals(streamed.gap(), fromProbs.gap(), 0);
    assertEquals(streamed.hit1(), fromProbs.hit1(), 0);
    assertEquals(streamed.perr(), fromProbs.perr(), 0);
    assertEquals(streamed.map(), fromProbs.map(), 0);
    assertEquals(DATA.size(), fromProbs.videos());
  }
}
