package org.vidar.train;

import org.vidar.model.VideoModel;

/**
 * Every training video's embedding under a frozen trunk, with its labels: the input of Stage 1.
 * The local engine keeps it in memory, {@code rows × dim} floats, or half that as 16-bit values
 * ({@link EmbeddingPrecision}) decoded chunk by chunk; it is computed by a map over the data
 * shards, each writing its own videos' rows.
 */
public final class EmbeddingTable implements EmbeddingSource {
  private static final long serialVersionUID = 1L;
  private final int rows;
  private final int dim;
  private final float[] values;
  private final short[] packed;
  private final EmbeddingPrecision precision;
  private final int[] labelOffsets;
  private final int[] labels;

  public EmbeddingTable(int rows, int dim, float[] values, int[] labelOffsets, int[] labels) {
    if (values.length != (long) rows * dim || labelOffsets.length != rows + 1) {
      throw new IllegalArgumentException("embedding table of " + rows + " x " + dim + " does not match its arrays");
    }
    this.rows = rows;
    this.dim = dim;
    this.values = values;
    this.packed = null;
    this.precision = EmbeddingPrecision.FLOAT32;
    this.labelOffsets = labelOffsets;
    this.labels = labels;
  }

  private EmbeddingTable(int rows, int dim, short[] packed, EmbeddingPrecision precision, int[] labelOffsets,
      int[] labels) {
    this.rows = rows;
    this.dim = dim;
    this.values = null;
    this.packed = packed;
    this.precision = precision;
    this.labelOffsets = labelOffsets;
    this.labels = labels;
  }

  /** The embeddings of every video of the local engine's data under {@code model}'s trunk. */
  public static EmbeddingTable compute(LocalEngine engine, VideoModel model, int chunkRows) {
    return compute(engine, model, chunkRows, EmbeddingPrecision.FLOAT32);
  }

  /** As above, stored at {@code precision}. */
  public static EmbeddingTable compute(LocalEngine engine, VideoModel model, int chunkRows,
      EmbeddingPrecision precision) {
    VideoDataset data = engine.data();
    int dim = model.trunk().outputDim();
    boolean exact = precision == EmbeddingPrecision.FLOAT32;
    float[] values = exact ? new float[Math.multiplyExact(data.size(), dim)] : null;
    short[] packed = exact ? null : new short[Math.multiplyExact(data.size(), dim)];
    engine.aggregateShards(shard -> {
      VideoModel.Scorer scorer = model.newScorer();
      VideoBatch batch = new VideoBatch(data.level(), data.dimension());
      float[] out = new float[0];
      long n = 0;
      while (shard.next(batch, chunkRows)) {
        if (out.length < batch.rows * dim) {
          out = new float[batch.rows * dim];
        }
        scorer.embed(batch, out);
        for (int i = 0; i < batch.rows; i++) {
          int to = batch.sourceIndex[i] * dim;
          if (exact) {
            System.arraycopy(out, i * dim, values, to, dim);
          } else {
            for (int j = 0; j < dim; j++) {
              packed[to + j] = precision.checkedBits(out[i * dim + j], "video " + data.id(batch.sourceIndex[i]));
            }
          }
        }
        n += batch.rows;
      }
      return n;
    }, Long::sum);
    return exact ? new EmbeddingTable(data.size(), dim, values, data.labelOffsets(), data.labels())
        : new EmbeddingTable(data.size(), dim, packed, precision, data.labelOffsets(), data.labels());
  }

  @Override
  public void forEachChunk(int maxRows, ChunkConsumer consumer) {
    float[] chunk = new float[Math.min(maxRows, Math.max(1, rows)) * dim];
    for (int s = 0; s < rows; s += maxRows) {
      int e = Math.min(rows, s + maxRows);
      if (packed == null) {
        System.arraycopy(values, s * dim, chunk, 0, (e - s) * dim);
      } else {
        for (int i = 0, n = (e - s) * dim, from = s * dim; i < n; i++) {
          chunk[i] = precision.fromBits(packed[from + i]);
        }
      }
      int[] offsets = new int[e - s + 1];
      for (int i = 0; i <= e - s; i++) {
        offsets[i] = labelOffsets[s + i] - labelOffsets[s];
      }
      int[] chunkLabels = java.util.Arrays.copyOfRange(labels, labelOffsets[s], labelOffsets[e]);
      consumer.chunk(chunk, e - s, chunkLabels, offsets);
    }
  }

  public int rows() {
    return rows;
  }

  @Override
  public int dim() {
    return dim;
  }

  /** How the embeddings are stored. */
  public EmbeddingPrecision precision() {
    return precision;
  }

  /** Row-major embeddings (decoded into a new array when stored in 16 bits). */
  public float[] values() {
    if (packed == null) {
      return values;
    }
    float[] out = new float[packed.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = precision.fromBits(packed[i]);
    }
    return out;
  }

  public int[] labelOffsets() {
    return labelOffsets;
  }

  public int[] labels() {
    return labels;
  }
}
