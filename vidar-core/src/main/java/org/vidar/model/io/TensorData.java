package org.vidar.model.io;

import java.util.Arrays;
import org.vidar.model.param.TensorRef;

/**
 * A named tensor to write: its shape and where its values sit in a float array (row-major, starting
 * at {@code offset}). The array is not copied; it must not change while it is written.
 */
public record TensorData(String name, int[] shape, float[] values, int offset) {
  public TensorData {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor name is empty");
    }
    if (SafeTensorsFormat.METADATA_KEY.equals(name)) {
      throw new IllegalArgumentException("tensor name " + name + " is reserved for the metadata");
    }
    shape = shape.clone();
    long n = count(name, shape);
    if (offset < 0 || offset + n > values.length) {
      throw new IllegalArgumentException(
          "tensor " + name + " " + Arrays.toString(shape) + " at offset " + offset
              + " does not fit in an array of " + values.length + " floats");
    }
  }

  /** The tensor {@code ref} of a flat parameter array. */
  public static TensorData of(TensorRef ref, float[] flat) {
    return new TensorData(ref.name(), ref.shape(), flat, ref.offset());
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values; a scalar (shape {@code []}) has one, a shape with a zero dimension none. */
  public int count() {
    return (int) count(name, shape);
  }

  private static long count(String name, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor " + name + ": negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + " has more values than one array holds");
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorData t && name.equals(t.name) && offset == t.offset
        && Arrays.equals(shape, t.shape) && values == t.values;
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
