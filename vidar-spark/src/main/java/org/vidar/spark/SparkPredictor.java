package org.vidar.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.vidar.data.AtomicOutput;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.InputFile;
import org.vidar.eval.PredictionCsvWriter;
import org.vidar.model.VideoModel;
import org.vidar.train.Engine;
import org.vidar.train.StreamingScorer;

/**
 * Batch inference on Spark, map-only: every TFRecord file is one task that scores its videos with
 * the broadcast model and writes their top-k classes as one Kaggle CSV part under the working
 * directory; the parts are then joined into one CSV (a streamed copy, no video passes through the
 * driver's memory) and, when asked, written as Parquet too (video id, class indices, class names,
 * scores).
 */
public final class SparkPredictor {
  private SparkPredictor() {}

  /** Counts of a prediction job. */
  public record Result(long videos, long skipped, int parts) {}

  /**
   * Scores {@code files} and writes {@code csv} (one file) and, unless null, {@code parquet} (a
   * directory); {@code classNames} may be empty.
   */
  public static Result predict(SparkSession session, VideoModel model, List<InputFile> files, BadRecordPolicy policy,
      int topK, int chunkRows, String workDir, String csv, String parquet, List<String> classNames) throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
    List<String> names = new ArrayList<>();
    for (InputFile f : files) {
      names.add(f.name());
    }
    String partsDir = DataPaths.join(workDir, "predictions-" + java.util.UUID.randomUUID());
    int k = model.config().numClasses();
    List<String> vocabulary = new ArrayList<>(classNames);
    Engine.Shared<VideoModel> shared = SparkEngine.broadcastModel(sc, model);
    org.apache.spark.util.LongAccumulator skippedRecords = sc.sc().longAccumulator("skipped records");
    try {
      JavaRDD<Row> rows = sc.parallelize(names, names.size()).mapPartitionsWithIndex((index, it) -> {
        List<String> mine = new ArrayList<>();
        it.forEachRemaining(mine::add);
        List<Row> out = new ArrayList<>();
        if (mine.isEmpty()) {
          return out.iterator();
        }
        VideoModel m = shared.get();
        String part = DataPaths.join(partsDir, String.format("part-%05d.csv", index));
        try (AtomicOutput o = DataPaths.createAtomic(part)) {
          PredictionCsvWriter writer = new PredictionCsvWriter(new OutputStreamWriter(o.stream(), StandardCharsets.UTF_8));
          long skipped = StreamingScorer.score(m, DataPaths.resolve(mine), policy, chunkRows,
              (id, labels, probs, offset) -> {
                int[] top = topClasses(probs, offset, k, topK);
                float[] scores = new float[top.length];
                String[] topNames = new String[top.length];
                for (int i = 0; i < top.length; i++) {
                  scores[i] = probs[offset + top[i]];
                  topNames[i] = vocabulary.isEmpty() ? Integer.toString(top[i]) : vocabulary.get(top[i]);
                }
                writer.write(id, top, scores, top.length);
                out.add(RowFactory.create(id, boxed(top), topNames, boxed(scores)));
              }).total();
          writer.flush();
          o.commit();
          skippedRecords.add(skipped);
        }
        return out.iterator();
      }, false).cache();
      JavaRDD<Row> videos = rows;
      long n = videos.count();
      if (parquet != null) {
        StructType schema = new StructType()
            .add("video_id", DataTypes.StringType, false)
            .add("classes", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("class_names", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        session.createDataFrame(videos, schema).write().mode(SaveMode.ErrorIfExists).parquet(parquet);
      }
      rows.unpersist();
      joinParts(partsDir, names.size(), csv);
      return new Result(n, skippedRecords.value(), names.size());
    } finally {
      shared.close();
    }
  }

  /** The parts' lines, header once, into one CSV, in part order. */
  private static void joinParts(String partsDir, int parts, String csv) throws IOException {
    try (AtomicOutput out = DataPaths.createAtomic(csv)) {
      Writer w = new OutputStreamWriter(out.stream(), StandardCharsets.UTF_8);
      w.write(PredictionCsvWriter.HEADER + "\n");
      for (int i = 0; i < parts; i++) {
        String part = DataPaths.join(partsDir, String.format("part-%05d.csv", i));
        if (!DataPaths.exists(part)) {
          continue;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(DataPaths.open(part), StandardCharsets.UTF_8))) {
          r.readLine();
          String line;
          while ((line = r.readLine()) != null) {
            w.write(line);
            w.write('\n');
          }
        }
      }
      w.flush();
      out.commit();
    }
  }

  /** The {@code k} highest of {@code n} scores, best first, ties to the lower class. */
  static int[] topClasses(float[] probs, int offset, int n, int k) {
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> probs[offset + a] != probs[offset + b]
        ? Float.compare(probs[offset + b], probs[offset + a]) : Integer.compare(a, b));
    int m = Math.min(k, n);
    int[] out = new int[m];
    for (int i = 0; i < m; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private static Integer[] boxed(int[] a) {
    Integer[] b = new Integer[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }

  private static Float[] boxed(float[] a) {
    Float[] b = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }
}
