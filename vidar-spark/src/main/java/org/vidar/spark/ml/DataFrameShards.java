package org.vidar.spark.ml;

import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.vidar.data.AtomicOutput;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureSpec;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoRecord;

/**
 * A DataFrame's videos as the TFRecord files {@code vidar train} reads ({@code tf.train.Example},
 * one file per non-empty partition), written by the executors: the Spark engine's stages and the
 * streamed pre-training then read them as they read any training files, and no video passes
 * through the driver's memory.
 */
final class DataFrameShards {
  private DataFrameShards() {}

  /**
   * What one pass of aggregates says of the videos before they are written.
   *
   * @param videos rows
   * @param minSize the smallest feature vector (vector column; -1 for array columns or no rows)
   * @param maxSize the largest
   * @param minLabel the smallest class index (null when no video has a label)
   * @param maxLabel the largest
   */
  record Summary(long videos, int minSize, int maxSize, Long minLabel, Long maxLabel) {}

  /**
   * Counts the videos, the sizes of their feature vectors and the range of their labels; refuses
   * nulls and array columns of the wrong size, naming the column.
   */
  static Summary summarize(Dataset<Row> data, VideoColumns columns, String labelsColumn) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)));
    aggregates.add(min(array_min(col(labelsColumn))).cast("long"));
    aggregates.add(max(array_max(col(labelsColumn))).cast("long"));
    aggregates.add(count(when(col(labelsColumn).isNull(), lit(1))));
    for (String c : columns.columns()) {
      Column values = columns.vector() ? org.apache.spark.ml.functions.vector_to_array(col(c), "float32") : col(c);
      aggregates.add(count(when(col(c).isNull(), lit(1))));
      aggregates.add(min(size(values)));
      aggregates.add(max(size(values)));
    }
    Row r = data.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0])).first();
    if (r.getLong(3) > 0) {
      throw new IllegalArgumentException("column '" + labelsColumn + "' is null in " + r.getLong(3) + " rows");
    }
    int minSize = -1;
    int maxSize = -1;
    for (int c = 0; c < columns.columns().size(); c++) {
      String name = columns.columns().get(c);
      int at = 4 + 3 * c;
      if (r.getLong(at) > 0) {
        throw new IllegalArgumentException("column '" + name + "' is null in " + r.getLong(at) + " rows");
      }
      if (r.isNullAt(at + 1)) {
        continue; // no rows
      }
      int smallest = r.getInt(at + 1);
      int largest = r.getInt(at + 2);
      if (columns.vector()) {
        minSize = smallest;
        maxSize = largest;
      } else if (smallest != columns.sizes()[c] || largest != columns.sizes()[c]) {
        throw new IllegalArgumentException("column '" + name + "' holds " + smallest + " to " + largest
            + " values a row; every video needs " + columns.sizes()[c]);
      }
    }
    return new Summary(r.getLong(0), minSize, maxSize, r.isNullAt(1) ? null : r.getLong(1),
        r.isNullAt(2) ? null : r.getLong(2));
  }

  /**
   * Writes every non-empty partition of {@code data} as {@code dir/part-NNNNN.tfrecord} in
   * {@code spec}'s layout (each file atomically) and returns the files in partition order. A video
   * without an id column is named {@code row-P-I}, its partition and position: the same for the same
   * DataFrame partitioned the same way.
   *
   * @param idColumn the column of video ids, or null
   */
  static List<String> write(Dataset<Row> data, VideoColumns columns, String labelsColumn, String idColumn,
      FeatureSpec spec, String dir) {
    StructType schema = data.schema();
    int[] featuresAt = columns.indices(schema);
    int labelsAt = schema.fieldIndex(labelsColumn);
    int idAt = idColumn == null ? -1 : schema.fieldIndex(idColumn);
    int dimension = spec.dimension();
    return data.javaRDD().mapPartitionsWithIndex((index, rows) -> {
      if (!rows.hasNext()) {
        return Collections.<String>emptyIterator();
      }
      String file = DataPaths.join(dir, String.format("part-%05d.tfrecord", index));
      ExampleCodec codec = new ExampleCodec(spec);
      try (AtomicOutput out = DataPaths.createAtomic(file)) {
        // Not closed: closing it would close the atomic output's stream, which commit publishes.
        TfRecordWriter writer = new TfRecordWriter(out.stream());
        long n = 0;
        while (rows.hasNext()) {
          Row row = rows.next();
          String id;
          if (idAt < 0) {
            id = "row-" + index + "-" + n;
          } else if (row.isNullAt(idAt)) {
            throw new IllegalArgumentException("column '" + idColumn + "' is null in a row");
          } else {
            id = String.valueOf(row.get(idAt));
          }
          float[] features = new float[dimension];
          columns.read(row, featuresAt, features);
          writer.write(codec.encode(new VideoRecord(id, VideoColumns.labels(row, labelsAt, labelsColumn), 1,
              features)));
          n++;
        }
        writer.flush();
        out.commit();
      }
      return Collections.singletonList(file).iterator();
    }, false).collect();
  }
}
