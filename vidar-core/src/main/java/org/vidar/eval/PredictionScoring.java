package org.vidar.eval;

import java.io.IOException;
import java.util.BitSet;
import org.vidar.data.Excerpt;

/**
 * Scores Kaggle-format prediction files against a {@link LabelTable}: each prediction line is joined
 * to its video's labels by id; labelled videos without a prediction line count as videos for which
 * nothing was predicted (so GAP, Hit@1 and PERR are not flattered by leaving videos out); prediction
 * lines for unlabelled videos (in the data without the labels key) and for unknown ids are counted
 * apart and reported, never silently dropped.
 */
public final class PredictionScoring {
  private final LabelTable labels;
  private final YouTube8mEvaluator evaluator;
  private final BitSet seen;
  private long unknownIds;
  private long unlabelled;
  private String firstUnknownId;
  private boolean finished;

  public PredictionScoring(LabelTable labels, int numClasses, int topK) {
    this.labels = labels;
    this.evaluator = new YouTube8mEvaluator(numClasses, topK);
    this.seen = new BitSet(labels.size());
  }

  /** Adds every line of a prediction file; a video predicted twice is an error naming the file and line. */
  public void add(PredictionCsvReader reader) throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    while (reader.next()) {
      int i = labels.indexOf(reader.videoId());
      if (i < 0 && labels.isUnlabelled(reader.videoId())) {
        unlabelled++;
        continue;
      }
      if (i < 0) {
        if (unknownIds++ == 0) {
          firstUnknownId = reader.videoId();
        }
        continue;
      }
      if (seen.get(i)) {
        throw new PredictionFormatException(reader.fileName(), reader.lineNumber(),
            "video " + Excerpt.of(reader.videoId()) + " is predicted a second time");
      }
      seen.set(i);
      evaluator.add(reader.classes(), reader.scores(), reader.count(), labels.labels(i));
    }
  }

  /** Counts the labelled videos without predictions and returns the metrics. */
  public Result finish() {
    if (!finished) {
      finished = true;
      for (int i = seen.nextClearBit(0); i < labels.size(); i = seen.nextClearBit(i + 1)) {
        evaluator.add(new int[0], new float[0], 0, labels.labels(i));
      }
    }
    return new Result(evaluator.report(), seen.cardinality(), labels.size() - seen.cardinality(),
        unlabelled, unknownIds, firstUnknownId);
  }

  /**
   * The metrics with the join's counts.
   *
   * @param predicted labelled videos that had a prediction line
   * @param missing labelled videos without one (scored as predicting nothing)
   * @param unlabelled prediction lines (or videos a model scored) of unlabelled videos in the data (not scored)
   * @param unknownIds prediction lines whose id is not in the labelled data (not scored)
   * @param firstUnknownId the first such id, or null
   */
  public record Result(EvalReport report, long predicted, long missing, long unlabelled, long unknownIds,
      String firstUnknownId) {}
}
