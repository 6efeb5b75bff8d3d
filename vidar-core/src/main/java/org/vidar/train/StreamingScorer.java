package org.vidar.train;

import java.io.IOException;
import java.util.List;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.InputFile;
import org.vidar.data.SkipReport;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.model.VideoModel;

/**
 * Scores TFRecord files with a model, streaming: records are read, batched, normalized as in
 * training, scored, and handed on one video at a time. Memory is one batch whatever the data size.
 * Frame-level videos are scored on all their frames up to the spec's limit.
 */
public final class StreamingScorer {
  /** Receives each video's id, labels and class probabilities ({@code probs[offset .. offset+K)}). */
  @FunctionalInterface
  public interface Sink {
    void video(String id, int[] labels, float[] probs, int offset) throws IOException;
  }

  private StreamingScorer() {}

  /** Scores every video of {@code files}; returns the records skipped under the policy. */
  public static SkipReport score(VideoModel model, List<InputFile> files, BadRecordPolicy policy, int chunkRows,
      Sink sink) throws IOException {
    int k = model.config().numClasses();
    VideoModel.Scorer scorer = model.newScorer();
    VideoBatch batch = new VideoBatch(model.config().features().level(), model.config().inputDim());
    String[] ids = new String[chunkRows];
    int[][] labels = new int[chunkRows][];
    float[] probs = new float[chunkRows * k];
    try (VideoReader reader = new VideoReader(files, model.config().features(), policy)) {
      VideoRecord r;
      batch.clear();
      while (true) {
        r = reader.next();
        if (r != null) {
          labels[batch.rows] = r.labels();
          batch.append(r, ids);
        }
        if (batch.rows == chunkRows || (r == null && batch.rows > 0)) {
          scorer.score(batch, probs);
          for (int i = 0; i < batch.rows; i++) {
            sink.video(ids[i], labels[i], probs, i * k);
          }
          batch.clear();
        }
        if (r == null) {
          return reader.skipped();
        }
      }
    }
  }
}
