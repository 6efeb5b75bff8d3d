package org.vidar.data.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vidar.data.Quantization;

/**
 * Frame rows held in memory as YouTube-8M stores them, one byte a value, with each row's L2 scale:
 * a quarter of the memory floats take. {@link #copyRows} gives back floats equal, bit for bit, to
 * dequantizing a row and L2-normalizing it ({@link InputNormalization}), so models see the same
 * input whether frames come from here or straight from the files (a Spark shard).
 *
 * <p>The bytes are kept in segments of at most {@link #SEGMENT_BYTES}, each holding whole rows, so
 * the rows may hold more values than one Java array (2^31).
 */
final class QuantizedRows {
  /** The most bytes one segment holds. */
  static final int SEGMENT_BYTES = 1 << 30;

  private final int dimension;
  private final int rowsPerSegment;
  private final byte[][] segments;
  /** Per row, the factor its dequantized values are multiplied by: 1 / its L2 norm (1 for a zero row). */
  private final double[] scales;
  private final int rows;

  private QuantizedRows(int dimension, int rowsPerSegment, byte[][] segments, double[] scales, int rows) {
    this.dimension = dimension;
    this.rowsPerSegment = rowsPerSegment;
    this.segments = segments;
    this.scales = scales;
    this.rows = rows;
  }

  int rows() {
    return rows;
  }

  /** Bytes held: the values and the scales. */
  long bytes() {
    return bytes(rows, dimension);
  }

  /** Bytes that {@code rows} rows of {@code dimension} values take: a byte a value, a double a row. */
  private static long bytes(int rows, int dimension) {
    return (long) rows * dimension + (long) rows * Double.BYTES;
  }

  /** Writes rows {@code [firstRow, firstRow + count)} as normalized floats into {@code dst[dstOffset]}. */
  void copyRows(int firstRow, int count, float[] dst, int dstOffset) {
    if (firstRow < 0 || count < 0 || firstRow + count > rows) {
      throw new IndexOutOfBoundsException("rows [" + firstRow + ", " + (firstRow + count) + ") of " + rows);
    }
    int d = dstOffset;
    for (int r = firstRow; r < firstRow + count; r++) {
      byte[] segment = segments[r / rowsPerSegment];
      int o = (r % rowsPerSegment) * dimension;
      double scale = scales[r];
      for (int j = 0; j < dimension; j++) {
        dst[d + j] = (float) (Quantization.dequantize(segment[o + j]) * scale);
      }
      d += dimension;
    }
  }

  /** Rows {@code [from, to)} of each range in turn, as a new set of rows (for a subset of videos). */
  QuantizedRows select(int[] from, int[] to, VideoDataset.Growth growth) {
    Builder b = new Builder(dimension, rowsPerSegment * dimension, growth);
    for (int i = 0; i < from.length; i++) {
      for (int r = from[i]; r < to[i]; r++) {
        b.appendQuantized(segments[r / rowsPerSegment], (r % rowsPerSegment) * dimension, scales[r]);
      }
    }
    return b.build();
  }

  /**
   * Collects rows of dequantized values (each exactly a {@link Quantization} level, as decoded
   * from a file), telling {@code growth} before every allocation (which may refuse it).
   */
  static final class Builder {
    private final int dimension;
    private final int rowsPerSegment;
    private final VideoDataset.Growth growth;
    private final List<byte[]> full = new ArrayList<>();
    private byte[] current;
    private int currentRows;
    private double[] scales = new double[1024];
    private int rows;

    Builder(int dimension, VideoDataset.Growth growth) {
      this(dimension, SEGMENT_BYTES, growth);
    }

    /** As above, with segments of at most {@code segmentBytes} (tests cross segments with small ones). */
    Builder(int dimension, int segmentBytes, VideoDataset.Growth growth) {
      if (dimension <= 0 || dimension > segmentBytes) {
        throw new IllegalArgumentException("a row of " + dimension + " values in segments of " + segmentBytes);
      }
      this.dimension = dimension;
      this.rowsPerSegment = segmentBytes / dimension;
      this.growth = growth;
      this.current = allocate(Math.min(rowsPerSegment, 64) * dimension);
    }

    /** Bytes held so far. */
    long bytes() {
      return QuantizedRows.bytes(rows, dimension);
    }

    /**
     * Appends the {@code count} rows at {@code src[offset]}, each value one that dequantizing a byte
     * gives.
     *
     * @throws IllegalArgumentException when a value is not a quantization level (that row is not appended)
     */
    void appendDequantized(float[] src, int offset, int count) {
      for (int i = 0; i < count; i++) {
        int o = offset + i * dimension;
        byte[] row = room();
        int at = currentRows * dimension;
        double sq = 0;
        for (int j = 0; j < dimension; j++) {
          float v = src[o + j];
          row[at + j] = Quantization.levelOf(v);
          double x = v;
          sq += x * x;
        }
        // The same arithmetic as InputNormalization: x * (1 / sqrt(sum of squares)) in double.
        added(sq > 0 ? 1.0 / Math.sqrt(sq) : 1.0);
      }
    }

    void appendQuantized(byte[] src, int offset, double scale) {
      byte[] row = room();
      System.arraycopy(src, offset, row, currentRows * dimension, dimension);
      added(scale);
    }

    QuantizedRows build() {
      byte[][] segments = new byte[full.size() + 1][];
      full.toArray(segments);
      segments[full.size()] = Arrays.copyOf(current, currentRows * dimension);
      return new QuantizedRows(dimension, rowsPerSegment, segments, Arrays.copyOf(scales, rows), rows);
    }

    /** The segment the next row goes to, with room for it. */
    private byte[] room() {
      if (rows == Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than 2^31 frames: the local engine indexes frames with an int; "
            + "sample fewer frames or use the Spark engine");
      }
      if (currentRows == rowsPerSegment) {
        full.add(current);
        current = allocate(Math.min(rowsPerSegment, 1024) * dimension);
        currentRows = 0;
      } else if ((currentRows + 1) * dimension > current.length) {
        int capacityRows = (int) Math.min(rowsPerSegment, 2L * current.length / dimension);
        byte[] grown = allocate(capacityRows * dimension);
        System.arraycopy(current, 0, grown, 0, currentRows * dimension);
        current = grown;
      }
      if (rows == scales.length) {
        growth.allocating(bytes(), (long) scales.length * Double.BYTES);
        scales = Arrays.copyOf(scales, scales.length * 2);
      }
      return current;
    }

    private void added(double scale) {
      scales[rows++] = scale;
      currentRows++;
    }

    private byte[] allocate(int n) {
      growth.allocating(bytes(), n);
      return new byte[n];
    }
  }
}
