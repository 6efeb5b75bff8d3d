package org.vidar.data.batch;

/**
 * Normalization applied to input data before any layer, as the YouTube-8M starter code does: each
 * feature vector is scaled to unit L2 norm. Data only, so there is no backward pass.
 */
public final class InputNormalization {
  private InputNormalization() {
  }

  /**
   * Divides each of the {@code rows} rows of {@code x[rows × dim]} (row-major at offset 0) by its
   * L2 norm {@code sqrt(Σ_j x_j²)}, in place; a row of zeros stays zeros.
   */
  public static void l2NormalizeRows(float[] x, int rows, int dim) {
    l2NormalizeRows(x, 0, rows, dim);
  }

  /** As {@link #l2NormalizeRows(float[], int, int)} for the rows starting at row {@code firstRow}. */
  public static void l2NormalizeRows(float[] x, int firstRow, int rows, int dim) {
    if (rows < 0 || dim <= 0) {
      throw new IllegalArgumentException("l2NormalizeRows: rows (" + rows + ") must be >= 0 and dim (" + dim
          + ") > 0");
    }
    if (firstRow < 0 || ((long) firstRow + rows) * dim > x.length) {
      throw new IllegalArgumentException("l2NormalizeRows: rows " + firstRow + " + " + rows + " of " + dim
          + " exceed an array of " + x.length);
    }
    normalize(x, firstRow, rows, dim);
  }

  private static void normalize(float[] x, int firstRow, int rows, int dim) {
    for (int r = firstRow; r < firstRow + rows; r++) {
      int o = r * dim;
      double sq = 0;
      for (int j = 0; j < dim; j++) {
        double v = x[o + j];
        sq += v * v;
      }
      if (sq > 0) {
        double inv = 1.0 / Math.sqrt(sq);
        for (int j = 0; j < dim; j++) {
          x[o + j] = (float) (x[o + j] * inv);
        }
      }
    }
  }
}
