package org.vidar.model.param;

import java.util.Arrays;

/**
 * One named tensor inside a flat parameter array: its shape and where its values start. Row-major;
 * a weight matrix of a dense layer is stored {@code [in, out]}.
 */
public record TensorRef(String name, int[] shape, int offset) {
  public TensorRef {
    shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("tensor " + name + ": non-positive dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor " + name + " has " + n + " values, more than one array holds");
    }
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Dimension {@code i} of the shape. */
  public int dim(int i) {
    return shape[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorRef t && name.equals(t.name) && offset == t.offset && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape) + offset;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "@" + offset;
  }
}
