package org.vidar.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.vidar.data.AtomicOutput;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.Excerpt;
import org.vidar.data.SkipReport;
import org.vidar.eval.TopClasses;
import org.vidar.inference.ClassGroupScorer;
import org.vidar.inference.GroupTopLists;
import org.vidar.model.TrunkPart;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ClassGroups;

/**
 * Scoring by class groups on Spark, for models larger than an executor: the heads are cut into
 * cost-balanced class groups and no task holds more than the trunk and one group's heads. Two
 * map-only passes: one task per (file, group) writes its videos' best classes of its group
 * ({@link GroupTopLists}, {@code groups/part-FFFFF-group-GGGGG.bin} under the parts directory);
 * then one task per file merges its groups' lists in step (the videos come in the same order in
 * each) into the top k and writes the file's {@link PredictionPart}. The output is the same as
 * whole-model scoring, up to float rounding in the scores.
 */
final class ClassGroupPrediction {
  private final JavaSparkContext sc;
  private final SparkPredictor.Request request;
  private final List<String> files;
  private final String partsDir;
  private final SkipAccumulator skippedRecords;

  ClassGroupPrediction(JavaSparkContext sc, SparkPredictor.Request request, List<String> files, String partsDir,
      SkipAccumulator skippedRecords) {
    this.sc = sc;
    this.request = request;
    this.files = files;
    this.partsDir = partsDir;
    this.skippedRecords = skippedRecords;
  }

  /**
   * The Parquet rows of every file after both passes, the CSV parts written. The broadcasts are
   * registered with {@code broadcasts}, for the caller to destroy once the rows are consumed.
   */
  JavaRDD<Row> run(VideoModel model, List<Broadcast<?>> broadcasts) {
    List<int[]> groups = ClassGroups.balance(model.allocation().expertsPerClass(), request.classGroups());
    Broadcast<TrunkPart> trunk = sc.broadcast(TrunkPart.of(model));
    broadcasts.add(trunk);
    // One broadcast per group: an executor fetches only the slices its tasks read.
    List<Broadcast<ClassGroupScorer.HeadSlice>> slices = new ArrayList<>();
    for (int[] classes : groups) {
      Broadcast<ClassGroupScorer.HeadSlice> b = sc.broadcast(ClassGroupScorer.slice(model, classes));
      slices.add(b);
      broadcasts.add(b);
    }
    scoreGroups(trunk, slices);
    return merge(groups.size(), model.config().numClasses());
  }

  /** Pass 1: one task per (file, group). */
  private void scoreGroups(Broadcast<TrunkPart> trunk, List<Broadcast<ClassGroupScorer.HeadSlice>> slices) {
    int g = slices.size();
    List<Integer> tasks = new ArrayList<>();
    for (int t = 0; t < files.size() * g; t++) {
      tasks.add(t);
    }
    // Locals, not fields: the closure must not capture this object (nor the Spark context).
    List<String> names = files;
    String parts = partsDir;
    BadRecordPolicy policy = request.policy();
    int chunkRows = request.chunkRows();
    int topK = request.topK();
    SkipAccumulator skippedRecords = this.skippedRecords;
    sc.parallelize(tasks, tasks.size()).foreach(t -> {
      int file = t / g;
      int group = t % g;
      try (AtomicOutput o = DataPaths.createAtomic(groupFile(parts, file, group))) {
        GroupTopLists.Writer w = new GroupTopLists.Writer(o.stream());
        SkipReport skipped = ClassGroupScorer.score(trunk.value(), slices.get(group).value(),
            DataPaths.resolve(List.of(names.get(file))), policy, chunkRows, topK, w);
        w.flush();
        o.commit();
        if (group == 0) {
          // Every group reads the same records: the file's report is group 0's, once.
          skippedRecords.add(new SkipAccumulator.ShardSkips(file, skipped));
        }
      }
    });
  }

  /** Pass 2: one task per file merges its groups' lists. */
  private JavaRDD<Row> merge(int g, int numClasses) {
    String parts = partsDir;
    int topK = request.topK();
    List<String> vocabulary = request.classNames();
    return sc.parallelize(files, files.size()).mapPartitionsWithIndex((file, it) -> {
      if (!it.hasNext()) {
        return Collections.<Row>emptyIterator();
      }
      GroupTopLists.Reader[] in = new GroupTopLists.Reader[g];
      try (PredictionPart part = new PredictionPart(parts, file, vocabulary)) {
        for (int group = 0; group < g; group++) {
          String name = groupFile(parts, file, group);
          in[group] = new GroupTopLists.Reader(DataPaths.open(name), name, numClasses, topK);
        }
        int[] candidates = new int[g * topK];
        float[] candidateScores = new float[g * topK];
        int[] top = new int[topK];
        float[] scores = new float[topK];
        while (in[0].next()) {
          String id = in[0].id();
          int count = in[0].copyTo(candidates, candidateScores, 0);
          for (int group = 1; group < g; group++) {
            if (!in[group].next() || !id.equals(in[group].id())) {
              throw new IllegalStateException(groupFile(parts, file, group) + " is out of step with group 0 at "
                  + "video " + Excerpt.of(id));
            }
            count += in[group].copyTo(candidates, candidateScores, count);
          }
          part.video(id, top, scores, TopClasses.merge(candidates, candidateScores, count, topK, top, scores));
        }
        for (int group = 1; group < g; group++) {
          if (in[group].next()) {
            throw new IllegalStateException(groupFile(parts, file, group) + " has more videos than group 0");
          }
        }
        return part.commit().iterator();
      } finally {
        closeAll(in);
      }
    }, false);
  }

  /** Closes every reader, even when one fails to close; the first failure is thrown. */
  private static void closeAll(GroupTopLists.Reader[] readers) throws IOException {
    IOException first = null;
    for (GroupTopLists.Reader r : readers) {
      try {
        if (r != null) {
          r.close();
        }
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static String groupFile(String partsDir, int file, int group) {
    return DataPaths.join(partsDir, String.format("groups/part-%05d-group-%05d.bin", file, group));
  }
}
