package org.vidar.spark;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.vidar.data.AtomicOutput;
import org.vidar.data.DataPaths;
import org.vidar.eval.PredictionCsvWriter;

/**
 * One input file's predictions: its Kaggle CSV part, {@code part-NNNNN.csv} under the parts
 * directory (written atomically), and its Parquet rows. Holds the rows until {@link #commit}, so a
 * part is as large in memory as its file's top-k lists.
 */
final class PredictionPart implements AutoCloseable {
  private final AtomicOutput output;
  private final PredictionCsvWriter writer;
  private final List<String> vocabulary;
  private final List<Row> rows = new ArrayList<>();

  PredictionPart(String partsDir, int index, List<String> vocabulary) throws IOException {
    this.output = DataPaths.createAtomic(file(partsDir, index));
    this.writer = new PredictionCsvWriter(new OutputStreamWriter(output.stream(), StandardCharsets.UTF_8));
    this.vocabulary = vocabulary;
  }

  /** Where part {@code index} is written. */
  static String file(String partsDir, int index) {
    return DataPaths.join(partsDir, String.format("part-%05d.csv", index));
  }

  void video(String id, int[] top, float[] scores, int count) throws IOException {
    writer.write(id, top, scores, count);
    Integer[] classes = new Integer[count];
    Float[] boxedScores = new Float[count];
    String[] topNames = new String[count];
    for (int i = 0; i < count; i++) {
      classes[i] = top[i];
      boxedScores[i] = scores[i];
      topNames[i] = vocabulary.isEmpty() ? Integer.toString(top[i]) : vocabulary.get(top[i]);
    }
    rows.add(RowFactory.create(id, classes, topNames, boxedScores));
  }

  List<Row> commit() throws IOException {
    writer.flush();
    output.commit();
    return rows;
  }

  @Override
  public void close() throws IOException {
    output.close();
  }
}
