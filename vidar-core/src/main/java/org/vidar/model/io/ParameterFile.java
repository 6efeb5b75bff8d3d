package org.vidar.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vidar.data.Excerpt;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * Saves the flat parameter array of a {@link ParameterLayout} as a safetensors file, one tensor per
 * {@link TensorRef}, and loads such a file back into the layout the caller expects, insisting on
 * exactly the same tensor names and shapes.
 */
public final class ParameterFile {
  private ParameterFile() {}

  /** Parameters and metadata read from a file. */
  public record Loaded(float[] values, Map<String, String> metadata) {}

  /** Writes {@code values} (laid out by {@code layout}) to {@code out}; returns the bytes written. */
  public static long write(OutputStream out, ParameterLayout layout, float[] values, Map<String, String> metadata,
      Dtype dtype) throws IOException {
    return new SafeTensorsWriter(dtype).write(out, tensors(layout, values), metadata);
  }

  /** Saves {@code values} (laid out by {@code layout}) to {@code file}, replacing it whole. */
  public static long save(Path file, ParameterLayout layout, float[] values, Map<String, String> metadata,
      Dtype dtype) throws IOException {
    return new SafeTensorsWriter(dtype).write(file, tensors(layout, values), metadata);
  }

  /** Loads a file that must hold exactly the tensors of {@code expected}. */
  public static Loaded load(Path file, ParameterLayout expected) throws IOException {
    try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
      return read(r, expected);
    }
  }

  /** As {@link #load(Path, ParameterLayout)}, from a stream named {@code source} in messages. */
  public static Loaded load(InputStream in, String source, ParameterLayout expected) throws IOException {
    try (SafeTensorsReader r = SafeTensorsReader.open(in, source)) {
      return read(r, expected);
    }
  }

  /**
   * As {@link #load(Path, ParameterLayout)}, from a stream named {@code source} in messages that
   * holds exactly {@code size} bytes: a header or data that does not fit it, or bytes after the
   * data, are errors.
   */
  public static Loaded load(InputStream in, String source, long size, ParameterLayout expected) throws IOException {
    try (SafeTensorsReader r = SafeTensorsReader.open(in, source, size)) {
      return read(r, expected);
    }
  }

  /** Checks the reader's tensors against {@code expected} and reads them into a new flat array. */
  public static Loaded read(SafeTensorsReader reader, ParameterLayout expected) throws IOException {
    check(reader, expected);
    float[] values = new float[expected.size()];
    for (TensorEntry e : reader.tensors()) {
      reader.read(e.name(), values, expected.get(e.name()).offset());
    }
    return new Loaded(values, reader.metadata());
  }

  private static void check(SafeTensorsReader reader, ParameterLayout expected) throws SafeTensorsException {
    List<String> problems = new ArrayList<>();
    for (TensorRef t : expected.tensors()) {
      if (!reader.has(t.name())) {
        problems.add("missing " + Excerpt.of(t.name()) + " (expected shape " + Arrays.toString(t.shape()) + ")");
      } else {
        int[] found = reader.tensor(t.name()).shape();
        if (!Arrays.equals(found, t.shape())) {
          problems.add(Excerpt.of(t.name()) + " has shape " + Arrays.toString(found) + ", expected "
              + Arrays.toString(t.shape()));
        }
      }
    }
    for (TensorEntry e : reader.tensors()) {
      if (!expected.has(e.name())) {
        problems.add("unexpected " + Excerpt.of(e.name()) + " (shape " + Arrays.toString(e.shape()) + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new SafeTensorsException(reader.source() + ": tensors differ from the expected layout: "
          + String.join("; ", problems));
    }
  }

  private static List<TensorData> tensors(ParameterLayout layout, float[] values) {
    if (values.length != layout.size()) {
      throw new IllegalArgumentException("layout has " + layout.size() + " floats but the array " + values.length);
    }
    List<TensorData> out = new ArrayList<>();
    for (TensorRef t : layout.tensors()) {
      out.add(TensorData.of(t, values));
    }
    return out;
  }
}
