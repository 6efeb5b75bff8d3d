package org.vidar.train.embedding;


/**
 * Every training video's embedding under a frozen trunk, with its labels, held in memory: the
 * input of Stage 1 on the local engine. {@code rows × dim} floats, or half that as 16-bit values
 * ({@link EmbeddingPrecision}) decoded chunk by chunk.
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
  private final long[] keys;

  public EmbeddingTable(int rows, int dim, float[] values, int[] labelOffsets, int[] labels, long[] keys) {
    if (values.length != (long) rows * dim || labelOffsets.length != rows + 1 || keys.length != rows) {
      throw new IllegalArgumentException("embedding table of " + rows + " x " + dim + " does not match its arrays");
    }
    this.rows = rows;
    this.dim = dim;
    this.values = values;
    this.packed = null;
    this.precision = EmbeddingPrecision.FLOAT32;
    this.labelOffsets = labelOffsets;
    this.labels = labels;
    this.keys = keys;
  }

  /** A table of 16-bit embeddings, {@code packed} holding {@code precision}'s bits row-major. */
  public EmbeddingTable(int rows, int dim, short[] packed, EmbeddingPrecision precision, int[] labelOffsets,
      int[] labels, long[] keys) {
    if (packed.length != (long) rows * dim || labelOffsets.length != rows + 1 || precision.bytes() != 2
        || keys.length != rows) {
      throw new IllegalArgumentException("16-bit embedding table of " + rows + " x " + dim + " does not match its "
          + "arrays");
    }
    this.rows = rows;
    this.dim = dim;
    this.values = null;
    this.packed = packed;
    this.precision = precision;
    this.labelOffsets = labelOffsets;
    this.labels = labels;
    this.keys = keys;
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
      consumer.chunk(chunk, e - s, chunkLabels, offsets, java.util.Arrays.copyOfRange(keys, s, e));
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
