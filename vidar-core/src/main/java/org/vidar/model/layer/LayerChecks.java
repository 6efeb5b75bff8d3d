package org.vidar.model.layer;

/** Argument checks at the layers' public doors, so the loops behind them can trust their input. */
final class LayerChecks {
  private LayerChecks() {
  }

  static void rows(int rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
  }

  static void dim(String what, int dim) {
    if (dim <= 0) {
      throw new IllegalArgumentException(what + " must be > 0, got " + dim);
    }
  }

  /** Checks that {@code a} holds {@code rows × width} values; a null array is an error. */
  static void holds(String what, float[] a, int rows, int width) {
    long need = (long) rows * width;
    if (a == null) {
      throw new NullPointerException(what + " is null");
    }
    if (a.length < need) {
      throw new IllegalArgumentException(what + " holds " + a.length + " floats, needs " + rows
          + " × " + width + " = " + need);
    }
  }

  static float[] grow(float[] a, long need) {
    if (need > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a buffer of " + need + " floats is more than one array holds");
    }
    return a.length >= need ? a : new float[(int) need];
  }
}
