package org.vidar.train.embedding;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.vidar.data.AtomicOutput;
import org.vidar.data.DataPaths;
import org.vidar.data.InputFile;
import org.vidar.data.TfRecordReader;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.batch.DataShard;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.TrunkPart;
import org.vidar.model.VideoModel;

/**
 * Embedding shards on a file system, for engines whose Stage 1 tasks run where the training data
 * is not: one file per data shard, written atomically, streamed back in chunks by a {@link Source}
 * so that a class group's task never holds them all.
 *
 * <p>A shard is a TFRecord file (the framing and both CRC32Cs, so corruption is caught) whose
 * records are not protocol buffers but one video each, little-endian: the {@code int64} video key
 * ({@code Seeds.videoKey} of its id), the {@code int32} label count, the labels as {@code int32},
 * then the {@code dim} embedding values at the job's
 * {@link EmbeddingPrecision} (4 or 2 bytes each). These files are the job's own intermediate data,
 * written and read by the same version; the reader still checks every record's length and labels.
 */
public final class EmbeddingFiles {
  private EmbeddingFiles() {}

  /** Writes the embeddings of every video of {@code shard} under {@code model}'s trunk to {@code location}. */
  public static long write(DataShard shard, VideoModel model, String location, int chunkRows,
      EmbeddingPrecision precision) throws IOException {
    return write(shard, TrunkPart.of(model), location, chunkRows, precision);
  }

  /** Writes the embeddings of every video of {@code shard} under {@code trunkPart} to {@code location}. */
  public static long write(DataShard shard, TrunkPart trunkPart, String location, int chunkRows,
      EmbeddingPrecision precision) throws IOException {
    org.vidar.model.ModelConfig config = trunkPart.config();
    org.vidar.model.Trunk trunk = trunkPart.trunk();
    org.vidar.model.Trunk.Scratch scratch = trunk.newScratch(false);
    int dim = trunk.outputDim();
    VideoBatch batch = new VideoBatch(config.features().level(), config.inputDim());
    float[] emb = new float[0];
    ByteBuffer record = ByteBuffer.allocate(0);
    long videos = 0;
    try (AtomicOutput out = DataPaths.createAtomic(location)) {
      TfRecordWriter writer = new TfRecordWriter(out.stream());
      while (shard.next(batch, chunkRows)) {
        if (emb.length < batch.rows * dim) {
          emb = new float[batch.rows * dim];
        }
        trunk.forward(trunkPart.params(), batch, emb, scratch);
        for (int i = 0; i < batch.rows; i++) {
          int from = batch.labelOffsets[i];
          int labels = batch.labelOffsets[i + 1] - from;
          int size = 8 + 4 + 4 * labels + dim * precision.bytes();
          if (record.capacity() < size) {
            record = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
          }
          record.clear();
          record.putLong(batch.keys[i]);
          record.putInt(labels);
          for (int j = 0; j < labels; j++) {
            record.putInt(batch.labels[from + j]);
          }
          if (precision == EmbeddingPrecision.FLOAT32) {
            for (int j = 0; j < dim; j++) {
              record.putFloat(emb[i * dim + j]);
            }
          } else {
            String where = location + " video " + videos; // once a video, not a value
            for (int j = 0; j < dim; j++) {
              record.putShort(precision.checkedBits(emb[i * dim + j], where));
            }
          }
          writer.write(record.array(), 0, size);
          videos++;
        }
      }
      writer.flush();
      out.commit();
    }
    return videos;
  }

  /** Embedding shards read back in order, chunk by chunk. */
  public record Source(List<String> files, int dim, int numClasses, EmbeddingPrecision precision)
      implements EmbeddingSource {
    public Source {
      files = List.copyOf(files);
    }

    @Override
    public void forEachChunk(int maxRows, ChunkConsumer consumer) {
      float[] emb = new float[maxRows * dim];
      int[] offsets = new int[maxRows + 1];
      int[] labels = new int[maxRows * 4];
      long[] keys = new long[maxRows];
      int rows = 0;
      List<InputFile> inputs;
      try {
        inputs = DataPaths.resolve(files);
      } catch (IOException e) {
        throw new UncheckedIOException("finding embedding shards " + files, e);
      }
      for (InputFile file : inputs) {
        try (TfRecordReader reader = new TfRecordReader(new BufferedInputStream(file.open(), 1 << 16), file.name())) {
          while (reader.next()) {
            ByteBuffer r = ByteBuffer.wrap(reader.payload(), 0, reader.length()).order(ByteOrder.LITTLE_ENDIAN);
            long key = reader.length() >= 12 ? r.getLong() : 0;
            int count = reader.length() >= 12 ? r.getInt() : -1;
            if (count < 0 || (long) reader.length() != 12 + 4L * count + (long) dim * precision.bytes()) {
              throw new IllegalStateException(file.name() + " record " + reader.recordIndex() + ": "
                  + reader.length() + " bytes is not an embedding of " + dim + " " + precision.label()
                  + " values with its labels");
            }
            int n = offsets[rows];
            if (labels.length < n + count) {
              labels = Arrays.copyOf(labels, Math.max(labels.length * 2, n + count));
            }
            for (int j = 0; j < count; j++) {
              int label = r.getInt();
              if (label < 0 || label >= numClasses) {
                throw new IllegalStateException(file.name() + " record " + reader.recordIndex() + ": label "
                    + label + " outside 0.." + (numClasses - 1));
              }
              labels[n + j] = label;
            }
            keys[rows] = key;
            int at = rows * dim;
            if (precision == EmbeddingPrecision.FLOAT32) {
              r.asFloatBuffer().get(emb, at, dim);
            } else {
              for (int j = 0; j < dim; j++) {
                emb[at + j] = precision.fromBits(r.getShort());
              }
            }
            offsets[++rows] = n + count;
            if (rows == maxRows) {
              consumer.chunk(emb, rows, labels, offsets, keys);
              rows = 0;
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("reading embedding shard " + file.name(), e);
        }
      }
      if (rows > 0) {
        consumer.chunk(emb, rows, labels, offsets, keys);
      }
    }
  }
}
