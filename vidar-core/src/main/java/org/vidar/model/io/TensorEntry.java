package org.vidar.model.io;

import java.util.Arrays;

/**
 * One tensor as a safetensors header describes it, after validation: name, dtype, shape and its byte
 * range {@code [begin, end)} relative to the start of the data section.
 */
public record TensorEntry(String name, Dtype dtype, int[] shape, long begin, long end) {
  public TensorEntry {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values ({@code (end - begin) / dtype.bytes()}). */
  public long count() {
    return (end - begin) / dtype.bytes();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorEntry t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && begin == t.begin && end == t.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape) + Long.hashCode(begin);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
  }
}
