package org.vidar.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vidar.data.AtomicOutput;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.InputFile;
import org.vidar.data.SkipReport;
import org.vidar.eval.PredictionCsvWriter;
import org.vidar.eval.TopClasses;
import org.vidar.inference.StreamingScorer;
import org.vidar.model.VideoModel;

/**
 * Batch inference on Spark, map-only: every TFRecord file is one task that scores its videos with
 * the broadcast model and writes their top-k classes as one Kaggle CSV part under the working
 * directory; the parts are then joined into one CSV (a streamed copy, no video passes through the
 * driver's memory) and, when asked, written as Parquet too (video id, class indices, class names,
 * scores). With more than one class group, {@link ClassGroupPrediction} scores the heads group by
 * group instead.
 */
public final class SparkPredictor {
  private static final Logger LOG = LoggerFactory.getLogger(SparkPredictor.class);
  private SparkPredictor() {}

  /**
   * What to score and where the results go.
   *
   * @param files the TFRecord files to score
   * @param policy what a bad record does
   * @param topK classes per video
   * @param chunkRows videos scored at once
   * @param workDir where the per-file parts go before they are joined (deleted after)
   * @param csv the Kaggle CSV to write (one file)
   * @param parquet the Parquet directory to write, or null
   * @param classNames the class names for Parquet, empty for class indices
   * @param classGroups 1 scores the whole model per task; more cuts the heads into that many groups
   */
  public record Request(List<InputFile> files, BadRecordPolicy policy, int topK, int chunkRows, String workDir,
      String csv, String parquet, List<String> classNames, int classGroups) {
    public Request {
      files = List.copyOf(files);
      classNames = List.copyOf(classNames);
      if (classGroups < 1) {
        throw new IllegalArgumentException("classGroups must be >= 1, got " + classGroups);
      }
      if (topK < 1) {
        throw new IllegalArgumentException("topK must be >= 1, got " + topK);
      }
      if (chunkRows < 1) {
        throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
      }
    }
  }

  /**
   * Counts of a prediction job.
   *
   * @param videos videos scored
   * @param skipped the records skipped under the policy, merged over the files in file order: the
   *     report the local engine gives for the same files
   * @param parts files scored (one task, or one task per class group, each)
   */
  public record Result(long videos, SkipReport skipped, int parts) {}

  /** Scores the request's files with {@code model} and writes its outputs, each atomically. */
  public static Result predict(SparkSession session, VideoModel model, Request request) throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
    List<String> names = new ArrayList<>();
    for (InputFile f : request.files()) {
      names.add(f.name());
    }
    String partsDir = DataPaths.join(request.workDir(), "predictions-" + UUID.randomUUID());
    // Keyed by file: a task run twice (a retry, a partition computed again for the Parquet) counts once.
    SkipAccumulator skippedRecords = new SkipAccumulator();
    sc.sc().register(skippedRecords, "vidar skipped records");
    List<Broadcast<?>> broadcasts = new ArrayList<>();
    try {
      JavaRDD<Row> rows = request.classGroups() == 1
          ? wholeModel(sc, model, request, names, partsDir, skippedRecords, broadcasts)
          : new ClassGroupPrediction(sc, request, names, partsDir, skippedRecords).run(model, broadcasts);
      rows = rows.cache();
      long n;
      try {
        n = rows.count();
        if (request.parquet() != null) {
          StructType schema = new StructType()
              .add("video_id", DataTypes.StringType, false)
              .add("classes", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
              .add("class_names", DataTypes.createArrayType(DataTypes.StringType, false), false)
              .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), false);
          session.createDataFrame(rows, schema).write().mode(SaveMode.ErrorIfExists).parquet(request.parquet());
        }
      } finally {
        rows.unpersist();
      }
      joinParts(partsDir, names.size(), request.csv());
      return new Result(n, skippedRecords.value(), names.size());
    } finally {
      // All of it is in the CSV and the Parquet now, or the job failed and its outputs were never
      // committed (each is written atomically): the parts are of no more use either way.
      try {
        DataPaths.deleteRecursively(partsDir);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not delete the prediction parts in {}: {}", partsDir, e.toString());
      }
      for (Broadcast<?> b : broadcasts) {
        try {
          b.destroy();
        } catch (RuntimeException e) {
          // releasing a broadcast is best effort; the job's result (or its failure) stands
        }
      }
    }
  }

  /** One task per file, each holding the whole model. */
  private static JavaRDD<Row> wholeModel(JavaSparkContext sc, VideoModel model, Request request, List<String> names,
      String partsDir, SkipAccumulator skippedRecords, List<Broadcast<?>> broadcasts) {
    Broadcast<ModelBytes> shared = sc.broadcast(ModelBytes.of(model));
    broadcasts.add(shared);
    int k = model.config().numClasses();
    int topK = request.topK();
    int chunkRows = request.chunkRows();
    BadRecordPolicy policy = request.policy();
    List<String> vocabulary = request.classNames();
    return sc.parallelize(names, names.size()).mapPartitionsWithIndex((index, it) -> {
      List<String> mine = new ArrayList<>();
      it.forEachRemaining(mine::add);
      if (mine.isEmpty()) {
        return Collections.<Row>emptyIterator();
      }
      int[] top = new int[Math.min(topK, k)];
      float[] scores = new float[top.length];
      try (PredictionPart part = new PredictionPart(partsDir, index, vocabulary)) {
        SkipReport skipped = StreamingScorer.score(shared.value().model(), DataPaths.resolve(mine), policy,
            org.vidar.data.LabelPolicy.OPTIONAL, chunkRows,
            (id, labels, probs, offset) -> part.video(id, top, scores,
                TopClasses.select(probs, offset, k, topK, top, scores)));
        skippedRecords.add(new SkipAccumulator.ShardSkips(index, skipped));
        return part.commit().iterator();
      }
    }, false);
  }

  /** The parts' lines, header once, into one CSV, in part order. */
  private static void joinParts(String partsDir, int parts, String csv) throws IOException {
    try (AtomicOutput out = DataPaths.createAtomic(csv)) {
      Writer w = new OutputStreamWriter(out.stream(), StandardCharsets.UTF_8);
      w.write(PredictionCsvWriter.HEADER + "\n");
      for (int i = 0; i < parts; i++) {
        String part = PredictionPart.file(partsDir, i);
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
}
