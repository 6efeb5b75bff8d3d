package org.vidar.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
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
import org.vidar.eval.TopClasses;
import org.vidar.model.VideoModel;
import org.vidar.train.ClassGroupScorer;
import org.vidar.train.ClassGroups;
import org.vidar.train.Engine;
import org.vidar.train.StreamingScorer;
import org.vidar.train.TrunkPart;

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
   * directory); {@code classNames} may be empty. Each task holds the whole model.
   */
  public static Result predict(SparkSession session, VideoModel model, List<InputFile> files, BadRecordPolicy policy,
      int topK, int chunkRows, String workDir, String csv, String parquet, List<String> classNames) throws IOException {
    return predict(session, model, files, policy, topK, chunkRows, workDir, csv, parquet, classNames, 1);
  }

  /**
   * As above; with {@code classGroups} above 1 the heads are cut into that many cost-balanced class
   * groups and no task holds more than the trunk and one group's heads, for models larger than an
   * executor's memory. A first map-only pass runs one task per (file, group), each writing its
   * videos' best classes of its group under the working directory; a second runs one task per file
   * that merges its groups' lists in step (the videos come in the same order in each) into the top
   * k. The output is the same as with one group, up to float rounding in the scores.
   */
  public static Result predict(SparkSession session, VideoModel model, List<InputFile> files, BadRecordPolicy policy,
      int topK, int chunkRows, String workDir, String csv, String parquet, List<String> classNames, int classGroups)
      throws IOException {
    if (classGroups < 1) {
      throw new IllegalArgumentException("classGroups must be >= 1, got " + classGroups);
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
    List<String> names = new ArrayList<>();
    for (InputFile f : files) {
      names.add(f.name());
    }
    String partsDir = DataPaths.join(workDir, "predictions-" + java.util.UUID.randomUUID());
    List<String> vocabulary = new ArrayList<>(classNames);
    org.apache.spark.util.LongAccumulator skippedRecords = sc.sc().longAccumulator("skipped records");
    List<AutoCloseable> broadcasts = new ArrayList<>();
    try {
      JavaRDD<Row> rows;
      if (classGroups == 1) {
        Engine.Shared<VideoModel> shared = SparkEngine.broadcastModel(sc, model);
        broadcasts.add(shared);
        int k = model.config().numClasses();
        rows = sc.parallelize(names, names.size()).mapPartitionsWithIndex((index, it) -> {
          List<String> mine = new ArrayList<>();
          it.forEachRemaining(mine::add);
          if (mine.isEmpty()) {
            return java.util.Collections.<Row>emptyIterator();
          }
          int[] top = new int[Math.min(topK, k)];
          float[] scores = new float[top.length];
          try (Part part = new Part(partsDir, index, vocabulary)) {
            long skipped = StreamingScorer.score(shared.get(), DataPaths.resolve(mine), policy, chunkRows,
                (id, labels, probs, offset) -> part.video(id, top, scores,
                    TopClasses.select(probs, offset, k, topK, top, scores))).total();
            skippedRecords.add(skipped);
            return part.commit().iterator();
          }
        }, false);
      } else {
        rows = byClassGroups(sc, model, names, policy, topK, chunkRows, partsDir, vocabulary, classGroups,
            skippedRecords, broadcasts);
      }
      rows = rows.cache();
      long n = rows.count();
      if (parquet != null) {
        StructType schema = new StructType()
            .add("video_id", DataTypes.StringType, false)
            .add("classes", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("class_names", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        session.createDataFrame(rows, schema).write().mode(SaveMode.ErrorIfExists).parquet(parquet);
      }
      rows.unpersist();
      joinParts(partsDir, names.size(), csv);
      DataPaths.deleteRecursively(partsDir); // all of it is in the CSV and the Parquet now
      return new Result(n, skippedRecords.value(), names.size());
    } finally {
      for (AutoCloseable b : broadcasts) {
        try {
          b.close();
        } catch (Exception e) {
          // releasing a broadcast is best effort; the job's result stands
        }
      }
    }
  }

  /** The two passes of scoring by class groups; see {@link #predict}. */
  private static JavaRDD<Row> byClassGroups(JavaSparkContext sc, VideoModel model, List<String> names,
      BadRecordPolicy policy, int topK, int chunkRows, String partsDir, List<String> vocabulary, int classGroups,
      org.apache.spark.util.LongAccumulator skippedRecords, List<AutoCloseable> broadcasts) {
    List<int[]> groups = ClassGroups.balance(model.allocation().expertsPerClass(), classGroups);
    int g = groups.size();
    Broadcast<TrunkPart> trunk = sc.broadcast(TrunkPart.of(model));
    broadcasts.add(trunk::destroy);
    // One broadcast per group: an executor fetches only the slices its tasks read.
    List<Broadcast<ClassGroupScorer.HeadSlice>> slices = new ArrayList<>();
    for (int[] classes : groups) {
      Broadcast<ClassGroupScorer.HeadSlice> b = sc.broadcast(ClassGroupScorer.slice(model, classes));
      slices.add(b);
      broadcasts.add(b::destroy);
    }
    List<Integer> tasks = new ArrayList<>();
    for (int t = 0; t < names.size() * g; t++) {
      tasks.add(t);
    }
    sc.parallelize(tasks, tasks.size()).foreach(t -> {
      int file = t / g;
      int group = t % g;
      String out = groupFile(partsDir, file, group);
      try (AtomicOutput o = DataPaths.createAtomic(out)) {
        DataOutputStream w = new DataOutputStream(new BufferedOutputStream(o.stream(), 1 << 16));
        long skipped = ClassGroupScorer.score(trunk.value(), slices.get(group).value(),
            DataPaths.resolve(List.of(names.get(file))), policy, chunkRows, topK, (id, classes, scores, count) -> {
              w.writeUTF(id);
              w.writeShort(count);
              for (int i = 0; i < count; i++) {
                w.writeInt(classes[i]);
                w.writeFloat(scores[i]);
              }
            }).total();
        w.flush();
        o.commit();
        if (group == 0) {
          skippedRecords.add(skipped); // every group reads the same records
        }
      }
    });
    return sc.parallelize(names, names.size()).mapPartitionsWithIndex((file, it) -> {
      if (!it.hasNext()) {
        return java.util.Collections.<Row>emptyIterator();
      }
      DataInputStream[] in = new DataInputStream[g];
      try (Part part = new Part(partsDir, file, vocabulary)) {
        for (int group = 0; group < g; group++) {
          in[group] = new DataInputStream(new BufferedInputStream(DataPaths.open(groupFile(partsDir, file, group)),
              1 << 16));
        }
        int[] candidates = new int[g * topK];
        float[] candidateScores = new float[g * topK];
        int[] top = new int[topK];
        float[] scores = new float[topK];
        while (true) {
          String id = readId(in[0]);
          if (id == null) {
            break;
          }
          int count = 0;
          for (int group = 0; group < g; group++) {
            if (group > 0 && !id.equals(readId(in[group]))) {
              throw new IllegalStateException(groupFile(partsDir, file, group) + " is out of step with group 0 at "
                  + "video " + id);
            }
            int c = in[group].readShort();
            for (int i = 0; i < c; i++) {
              candidates[count] = in[group].readInt();
              candidateScores[count++] = in[group].readFloat();
            }
          }
          part.video(id, top, scores, TopClasses.merge(candidates, candidateScores, count, topK, top, scores));
        }
        for (int group = 1; group < g; group++) {
          if (readId(in[group]) != null) {
            throw new IllegalStateException(groupFile(partsDir, file, group) + " has more videos than group 0");
          }
        }
        return part.commit().iterator();
      } finally {
        for (DataInputStream s : in) {
          if (s != null) {
            s.close();
          }
        }
      }
    }, false);
  }

  private static String groupFile(String partsDir, int file, int group) {
    return DataPaths.join(partsDir, String.format("groups/part-%05d-group-%05d.bin", file, group));
  }

  /** The next video id of a group file, or null at its end. */
  private static String readId(DataInputStream in) throws IOException {
    try {
      return in.readUTF();
    } catch (java.io.EOFException e) {
      return null;
    }
  }

  /**
   * One file's output: its Kaggle CSV part (written atomically) and its Parquet rows. Holds the
   * rows until {@link #commit}, so a part is as large in memory as its file's top-k lists.
   */
  private static final class Part implements AutoCloseable {
    private final AtomicOutput output;
    private final PredictionCsvWriter writer;
    private final List<String> vocabulary;
    private final List<Row> rows = new ArrayList<>();

    Part(String partsDir, int index, List<String> vocabulary) throws IOException {
      this.output = DataPaths.createAtomic(DataPaths.join(partsDir, String.format("part-%05d.csv", index)));
      this.writer = new PredictionCsvWriter(new OutputStreamWriter(output.stream(), StandardCharsets.UTF_8));
      this.vocabulary = vocabulary;
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
}
