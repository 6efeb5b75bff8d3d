package org.vidar.inference;

import org.vidar.data.ProgressSink;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.EvalReport;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.model.VideoModel;

/** Scores a dataset with a model and computes the YouTube-8M metrics, streaming batch by batch. */
public final class ModelEvaluation {
  private ModelEvaluation() {}

  /**
   * The metrics of a model on files, with the labelled videos scored, the unlabelled ones passed
   * over and the records skipped.
   */
  public record FileResult(EvalReport report, long videos, long unlabelled, org.vidar.data.SkipReport skipped) {}

  /**
   * GAP@k, Hit@1, PERR and MAP of {@code model} on labelled TFRecord files, streaming: a record without
   * the labels key is bad (validation during training, whose data must be labelled).
   */
  public static FileResult evaluate(VideoModel model, java.util.List<org.vidar.data.InputFile> files,
      org.vidar.data.BadRecordPolicy policy, int topK, int chunkRows) throws java.io.IOException {
    return evaluate(model, files, policy, org.vidar.data.LabelPolicy.REQUIRED, topK, chunkRows);
  }

  /**
   * GAP@k, Hit@1, PERR and MAP of {@code model} on the labelled videos of TFRecord files, streaming;
   * under {@link org.vidar.data.LabelPolicy#OPTIONAL} videos without the labels key are counted, not
   * scored (a video whose label list is there but empty is scored).
   */
  public static FileResult evaluate(VideoModel model, java.util.List<org.vidar.data.InputFile> files,
      org.vidar.data.BadRecordPolicy policy, org.vidar.data.LabelPolicy labelPolicy, int topK, int chunkRows)
      throws java.io.IOException {
    return evaluate(model, files, policy, labelPolicy, topK, chunkRows, "scoring", ProgressSink.NONE);
  }

  /** As above, as progress step {@code step} with the files' bytes as its total. */
  public static FileResult evaluate(VideoModel model, java.util.List<org.vidar.data.InputFile> files,
      org.vidar.data.BadRecordPolicy policy, org.vidar.data.LabelPolicy labelPolicy, int topK, int chunkRows,
      String step, ProgressSink progress) throws java.io.IOException {
    progress.begin(step, StreamingScorer.bytes(files), "bytes");
    YouTube8mEvaluator evaluator = new YouTube8mEvaluator(model.config().numClasses(), topK);
    long[] videos = {0, 0};
    org.vidar.data.SkipReport skipped = StreamingScorer.score(model, files, policy,
        labelPolicy, chunkRows, (id, labels, probs, offset) -> {
          if (labels == null) {
            videos[1]++;
            return;
          }
          evaluator.addScores(probs, offset, labels);
          videos[0]++;
        }, progress);
    progress.end();
    return new FileResult(evaluator.report(), videos[0], videos[1], skipped);
  }

  /**
   * Class probabilities of videos {@code [from, to)} of {@code data}, video {@code i}'s at
   * {@code probs[offset + (i − from)·K ..)}, scored {@code chunkRows} at a time by {@code scorer}.
   */
  public static void score(VideoModel.Scorer scorer, VideoDataset data, int from, int to, int chunkRows,
      float[] probs, int offset) {
    VideoBatch batch = new VideoBatch(data.level(), data.dimension());
    int k = scorer.numClasses();
    float[] chunk = new float[Math.min(chunkRows, Math.max(1, to - from)) * k];
    for (int s = from; s < to; s += chunkRows) {
      int e = Math.min(to, s + chunkRows);
      batch.gather(data, null, s, e);
      scorer.score(batch, chunk);
      System.arraycopy(chunk, 0, probs, offset + (s - from) * k, (e - s) * k);
    }
  }

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
