package org.vidar.spark.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.vidar.data.FeatureField;

/**
 * Where a DataFrame keeps each video's features: one ML {@link Vector} column (a
 * {@code VectorAssembler}'s output, say), or float array columns of fixed sizes (YouTube-8M's
 * {@code mean_rgb} and {@code mean_audio}) concatenated in order. Checks a schema at the door, naming
 * the column, and reads rows inside tasks.
 *
 * @param columns the vector column, or the array columns in order
 * @param vector whether {@code columns} is one vector column
 * @param sizes each array column's values; for a vector, its size once known (-1 before)
 */
record VideoColumns(List<String> columns, boolean vector, int[] sizes) implements Serializable {
  VideoColumns {
    columns = List.copyOf(columns);
    sizes = sizes.clone();
  }

  /**
   * The features of {@code schema}: {@code vectorColumn} when it has it, else every one of
   * {@code arrays} (a model trained on them, or YouTube-8M's video-level columns).
   *
   * @throws IllegalArgumentException naming the column that is missing or of the wrong type
   */
  static VideoColumns resolve(StructType schema, String vectorColumn, List<FeatureField> arrays) {
    if (has(schema, vectorColumn)) {
      DataType type = schema.apply(vectorColumn).dataType();
      if (!(type instanceof VectorUDT)) {
        throw new IllegalArgumentException("column '" + vectorColumn + "' is " + type.simpleString()
            + ", not a vector (org.apache.spark.ml.linalg.Vector, as a VectorAssembler makes) of each video's features");
      }
      return new VideoColumns(List.of(vectorColumn), true, new int[] {-1});
    }
    List<String> missing = new ArrayList<>();
    for (FeatureField f : arrays) {
      if (!has(schema, f.name())) {
        missing.add(f.name());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no column '" + vectorColumn + "' (a vector of each video's features)"
          + (arrays.isEmpty() ? "" : ", nor the array columns " + arrays + " (missing: " + String.join(", ", missing)
              + ")") + "; the columns are " + Arrays.toString(schema.fieldNames()));
    }
    List<String> names = new ArrayList<>();
    int[] sizes = new int[arrays.size()];
    for (int i = 0; i < arrays.size(); i++) {
      FeatureField f = arrays.get(i);
      DataType type = schema.apply(f.name()).dataType();
      if (!(type instanceof ArrayType a) || !(a.elementType() == DataTypes.FloatType
          || a.elementType() == DataTypes.DoubleType)) {
        throw new IllegalArgumentException("column '" + f.name() + "' is " + type.simpleString()
            + ", not array<float> (" + f.size() + " values a video)");
      }
      names.add(f.name());
      sizes[i] = f.size();
    }
    return new VideoColumns(names, false, sizes);
  }

  /**
   * Checks that {@code schema} has {@code column} as an array of integers (each video's class indices).
   *
   * @throws IllegalArgumentException naming the column
   */
  static void checkLabels(StructType schema, String column) {
    if (!has(schema, column)) {
      throw new IllegalArgumentException("no column '" + column + "' (each video's class indices, array<int>); the "
          + "columns are " + Arrays.toString(schema.fieldNames()));
    }
    DataType type = schema.apply(column).dataType();
    if (!(type instanceof ArrayType a) || !(a.elementType() == DataTypes.IntegerType
        || a.elementType() == DataTypes.LongType || a.elementType() == DataTypes.ShortType
        || a.elementType() == DataTypes.ByteType)) {
      throw new IllegalArgumentException("column '" + column + "' is " + type.simpleString()
          + ", not array<int> (each video's class indices)");
    }
  }

  /** Refuses an output column the schema already has. */
  static void checkAbsent(StructType schema, String column, String param) {
    if (has(schema, column)) {
      throw new IllegalArgumentException("output column '" + column + "' (" + param + ") already exists; set "
          + param + " to another name");
    }
  }

  static boolean has(StructType schema, String column) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(column)) {
        return true;
      }
    }
    return false;
  }

  /** These columns with the vector's size known. */
  VideoColumns withVectorSize(int size) {
    return new VideoColumns(columns, vector, new int[] {size});
  }

  /** The features as a spec names them: the vector column and its size, or the array columns. */
  List<FeatureField> fields() {
    List<FeatureField> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      out.add(new FeatureField(columns.get(i), sizes[i]));
    }
    return out;
  }

  /** Values a video: the sum of the sizes. */
  int dimension() {
    int d = 0;
    for (int s : sizes) {
      d += s;
    }
    return d;
  }

  /** The columns' positions in {@code schema}, for {@link #read}. */
  int[] indices(StructType schema) {
    int[] at = new int[columns.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = schema.fieldIndex(columns.get(i));
    }
    return at;
  }

  /**
   * Writes the video's features into {@code out} ({@link #dimension} values).
   *
   * @param at the columns' positions in the row ({@link #indices})
   * @throws IllegalArgumentException naming the column, for a null or a value of the wrong size
   */
  void read(Row row, int[] at, float[] out) {
    int offset = 0;
    for (int c = 0; c < at.length; c++) {
      String column = columns.get(c);
      if (row.isNullAt(at[c])) {
        throw new IllegalArgumentException("column '" + column + "' is null in a row");
      }
      int size = sizes[c];
      if (vector) {
        Vector v = (Vector) row.get(at[c]);
        if (v.size() != size) {
          throw new IllegalArgumentException("column '" + column + "' holds a vector of " + v.size()
              + " values in a row; the model reads " + size);
        }
        for (int j = 0; j < size; j++) {
          out[offset + j] = (float) v.apply(j);
        }
      } else {
        List<Object> values = row.getList(at[c]);
        if (values.size() != size) {
          throw new IllegalArgumentException("column '" + column + "' holds " + values.size()
              + " values in a row, not " + size);
        }
        for (int j = 0; j < size; j++) {
          Object x = values.get(j);
          if (x == null) {
            throw new IllegalArgumentException("column '" + column + "' holds a null value in a row");
          }
          out[offset + j] = ((Number) x).floatValue();
        }
      }
      offset += size;
    }
  }

  /**
   * A video's class indices from the labels column at {@code at}.
   *
   * @throws IllegalArgumentException naming the column, for a null list or a null label
   */
  static int[] labels(Row row, int at, String column) {
    if (row.isNullAt(at)) {
      throw new IllegalArgumentException("column '" + column + "' is null in a row");
    }
    List<Object> values = row.getList(at);
    int[] labels = new int[values.size()];
    for (int i = 0; i < labels.length; i++) {
      Object x = values.get(i);
      if (x == null) {
        throw new IllegalArgumentException("column '" + column + "' holds a null label in a row");
      }
      labels[i] = ((Number) x).intValue();
    }
    return labels;
  }
}
