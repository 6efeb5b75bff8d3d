package org.vidar.inference;

import java.io.IOException;
import java.util.List;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.InputFile;
import org.vidar.data.LabelPolicy;
import org.vidar.data.ProgressSink;
import org.vidar.data.SkipReport;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.VideoModel;

/**
 * Scores TFRecord files with a model, streaming: records are read, batched, normalized as in
 * training, scored, and handed on one video at a time. Memory is one batch whatever the data size.
 * Frame-level videos are scored on all their frames up to the spec's limit.
 */
public final class StreamingScorer {
  /**
   * Receives each video's id, labels and class probabilities ({@code probs[offset .. offset+K)});
   * the labels are null for an unlabelled video (a record without the labels key, read under
   * {@link LabelPolicy#OPTIONAL}).
   */
  @FunctionalInterface
  public interface Sink {
    void video(String id, int[] labels, float[] probs, int offset) throws IOException;
  }

  /** Writes the {@code width} scores of each video of a batch, row after row. */
  @FunctionalInterface
  public interface BatchScorer {
    void score(VideoBatch batch, float[] out);
  }

  private StreamingScorer() {}

  /**
   * Scores every labelled video of {@code files} (a record without labels is bad, as evaluation
   * needs them); returns the records skipped under the policy.
   */
  public static SkipReport score(VideoModel model, List<InputFile> files, BadRecordPolicy policy, int chunkRows,
      Sink sink) throws IOException {
    return score(model, files, policy, LabelPolicy.REQUIRED, chunkRows, sink);
  }

  /**
   * Scores every video of {@code files}, whose records need labels under {@code labels} only (a
   * video without them reaches the sink with none); returns the records skipped under the policy.
   */
  public static SkipReport score(VideoModel model, List<InputFile> files, BadRecordPolicy policy, LabelPolicy labels,
      int chunkRows, Sink sink) throws IOException {
    return score(model, files, policy, labels, chunkRows, sink, ProgressSink.NONE);
  }

  /** As above, telling {@code progress} the bytes read (see the last {@code score}). */
  public static SkipReport score(VideoModel model, List<InputFile> files, BadRecordPolicy policy, LabelPolicy labels,
      int chunkRows, Sink sink, ProgressSink progress) throws IOException {
    return score(model.config(), model.config().numClasses(), model.newScorer()::score, files, policy, labels,
        chunkRows, sink, progress);
  }

  /** The bytes of {@code files}: the total of a scoring step that reports through a {@link ProgressSink}. */
  public static long bytes(List<InputFile> files) {
    return files.stream().mapToLong(InputFile::length).sum();
  }

  /**
   * Scores every video of {@code files} as {@code config} reads them with {@code scorer}, which
   * writes {@code width} values a video, records needing labels under {@code labelPolicy} only; returns
   * the records skipped under the policy.
   */
  public static SkipReport score(org.vidar.model.ModelConfig config, int width, BatchScorer scorer,
      List<InputFile> files, BadRecordPolicy policy, LabelPolicy labelPolicy, int chunkRows, Sink sink)
      throws IOException {
    return score(config, width, scorer, files, policy, labelPolicy, chunkRows, sink, ProgressSink.NONE);
  }

  /**
   * As above, telling {@code progress} the bytes of the files read after every chunk (the caller
   * begins the step, with the files' sizes as its total, and ends it): the videos a file holds are
   * not known before it is read.
   */
  public static SkipReport score(org.vidar.model.ModelConfig config, int width, BatchScorer scorer,
      List<InputFile> files, BadRecordPolicy policy, LabelPolicy labelPolicy, int chunkRows, Sink sink,
      ProgressSink progress) throws IOException {
    int k = width;
    VideoBatch batch = new VideoBatch(config.features().level(), config.inputDim());
    String[] ids = new String[chunkRows];
    int[][] labels = new int[chunkRows][];
    float[] probs = new float[chunkRows * k];
    try (VideoReader reader = new VideoReader(files, config.features(), policy, labelPolicy)) {
      long reported = 0;
      VideoRecord r;
      batch.clear();
      while (true) {
        r = reader.next();
        if (r != null) {
          labels[batch.rows] = r.labelled() ? r.labels() : null;
          batch.append(r, ids);
        }
        if (batch.rows == chunkRows || (r == null && batch.rows > 0)) {
          scorer.score(batch, probs);
          for (int i = 0; i < batch.rows; i++) {
            sink.video(ids[i], labels[i], probs, i * k);
          }
          batch.clear();
          long read = reader.bytesRead();
          progress.advance(read - reported);
          reported = read;
        }
        if (r == null) {
          return reader.skipped();
        }
      }
    }
  }
}
