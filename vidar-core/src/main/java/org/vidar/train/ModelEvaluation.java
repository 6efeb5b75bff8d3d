package org.vidar.train;

import org.vidar.eval.EvalReport;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.model.VideoModel;

/** Scores a dataset with a model and computes the YouTube-8M metrics, streaming batch by batch. */
public final class ModelEvaluation {
  private ModelEvaluation() {}

  /** GAP@k, Hit@1, PERR and MAP of {@code model} on {@code data}. */
  public static EvalReport evaluate(VideoModel model, VideoDataset data, int topK, int chunkRows) {
    int k = model.config().numClasses();
    YouTube8mEvaluator evaluator = new YouTube8mEvaluator(k, topK);
    VideoModel.Scorer scorer = model.newScorer();
    VideoBatch batch = new VideoBatch(data.level(), data.dimension());
    float[] probs = new float[Math.min(chunkRows, Math.max(1, data.size())) * k];
    for (int s = 0; s < data.size(); s += chunkRows) {
      int e = Math.min(data.size(), s + chunkRows);
      batch.gather(data, null, s, e);
      scorer.score(batch, probs);
      for (int i = 0; i < batch.rows; i++) {
        evaluator.addScores(probs, i * k, data.labelsOf(s + i));
      }
    }
    return evaluator.report();
  }
}
