package org.vidar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.vidar.data.AtomicOutput;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.model.VideoModel;

/**
 * Embedding shards on a file system, for engines whose Stage 1 tasks run where the training data
 * is not: one TFRecord file of {@code tf.train.Example}s per data shard, each holding a video's
 * labels and its {@code embedding} (float32, the trunk's width), written atomically. A
 * {@link Source} streams them back in chunks, so a class group's task never holds them all.
 */
public final class EmbeddingFiles {
  /** The feature key of the embedding. */
  public static final String KEY = "embedding";

  private EmbeddingFiles() {}

  /** The record layout of embedding shards. */
  public static FeatureSpec spec(int dim, int numClasses) {
    return new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels", List.of(new FeatureField(KEY, dim)),
        numClasses, FeatureSpec.YT8M_MAX_FRAMES);
  }

  /** Writes the embeddings of every video of {@code shard} under {@code model}'s trunk to {@code location}. */
  public static long write(DataShard shard, VideoModel model, String location, int chunkRows) throws IOException {
    int dim = model.trunk().outputDim();
    ExampleCodec codec = new ExampleCodec(spec(dim, model.config().numClasses()));
    VideoModel.Scorer scorer = model.newScorer();
    VideoBatch batch = new VideoBatch(model.config().features().level(), model.config().inputDim());
    float[] emb = new float[0];
    long videos = 0;
    try (AtomicOutput out = DataPaths.createAtomic(location)) {
      TfRecordWriter writer = new TfRecordWriter(out.stream());
      while (shard.next(batch, chunkRows)) {
        if (emb.length < batch.rows * dim) {
          emb = new float[batch.rows * dim];
        }
        scorer.embed(batch, emb);
        for (int i = 0; i < batch.rows; i++) {
          int[] labels = Arrays.copyOfRange(batch.labels, batch.labelOffsets[i], batch.labelOffsets[i + 1]);
          float[] row = Arrays.copyOfRange(emb, i * dim, (i + 1) * dim);
          writer.write(codec.encode(new VideoRecord(shard.index() + ":" + videos, labels, 1, row)));
          videos++;
        }
      }
      writer.flush();
      out.commit();
    }
    return videos;
  }

  /** Embedding shards read back in order, chunk by chunk. */
  public record Source(List<String> files, int dim, int numClasses) implements EmbeddingSource {
    public Source {
      files = List.copyOf(files);
    }

    @Override
    public void forEachChunk(int maxRows, ChunkConsumer consumer) {
      float[] emb = new float[maxRows * dim];
      int[] offsets = new int[maxRows + 1];
      int[] labels = new int[maxRows * 4];
      int rows = 0;
      try (VideoReader reader = new VideoReader(DataPaths.resolve(files), spec(dim, numClasses),
          BadRecordPolicy.FAIL)) {
        VideoRecord r;
        while ((r = reader.next()) != null) {
          System.arraycopy(r.features(), 0, emb, rows * dim, dim);
          int n = offsets[rows];
          if (labels.length < n + r.labels().length) {
            labels = Arrays.copyOf(labels, Math.max(labels.length * 2, n + r.labels().length));
          }
          System.arraycopy(r.labels(), 0, labels, n, r.labels().length);
          offsets[++rows] = n + r.labels().length;
          if (rows == maxRows) {
            consumer.chunk(emb, rows, labels, offsets);
            rows = 0;
          }
        }
        if (rows > 0) {
          consumer.chunk(emb, rows, labels, offsets);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading embedding shards " + files, e);
      }
    }
  }
}
