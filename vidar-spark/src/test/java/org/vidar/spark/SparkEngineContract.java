package org.vidar.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.SequenceExampleCodec;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.train.Engine;
import org.vidar.train.HeadStage;
import org.vidar.train.LocalEngine;
import org.vidar.train.LossGradient;
import org.vidar.train.TrainConfig;
import org.vidar.train.StageResult;
import org.vidar.train.Trainer;
import org.vidar.train.TrunkGradient;
import org.vidar.train.TrunkStage;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * What every Spark master must give: the local engine's results on the same TFRecord files, up to
 * float reduction order. One session per subclass (one master each).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SparkEngineContract {
  static final int DIM = 4;
  static final int CLASSES = 3;
  /** Videos per file: uneven, and one file of a single video. */
  static final int[] FILE_SIZES = {11, 7, 13, 1};
  static final FeatureSpec SPEC = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels",
      List.of(new FeatureField("rgb", DIM)), CLASSES, 300);

  private SparkSession session;
  private Path dir;
  private List<String> files;
  private VideoDataset dataset;
  private SparkEngine engine;

  abstract String master();

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory("vidar-spark-test-");
    files = writeFiles(dir);
    dataset = VideoDataset.load(DataPaths.resolve(files), SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL);
    session = SparkSession.builder().master(master()).appName("vidar-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    engine = SparkEngine.of(session, List.of(dir.toString()), SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL);
  }

  @AfterAll
  void stop() throws IOException {
    if (engine != null) {
      engine.close();
    }
    if (session != null) {
      session.stop();
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** An engine deletes the temporary working directory it made when it closes, and keeps one it was given. */
  @Test
  void closingDeletesTheEnginesOwnTemporaryWorkDir() throws IOException {
    String own;
    try (SparkEngine e = SparkEngine.of(session, List.of(dir.toString()), SPEC, BadRecordPolicy.FAIL,
        FrameSampling.ALL)) {
      own = e.workDir();
      assertTrue(Files.isDirectory(Path.of(own)));
    }
    assertFalse(Files.exists(Path.of(own)), own);
    Path given = Files.createDirectories(dir.resolve("given-work"));
    SparkEngine.of(session, List.of(dir.toString()), SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL, given.toString())
        .close();
    assertTrue(Files.isDirectory(given));
  }

  /** Separable videos: class k present iff feature k > 0. */
  static List<String> writeFiles(Path dir) throws IOException {
    SplittableRandom r = new SplittableRandom(5);
    ExampleCodec codec = new ExampleCodec(SPEC);
    List<String> out = new ArrayList<>();
    int id = 0;
    for (int f = 0; f < FILE_SIZES.length; f++) {
      Path file = dir.resolve(String.format("part-%02d.tfrecord", f));
      try (OutputStream os = Files.newOutputStream(file); TfRecordWriter w = new TfRecordWriter(os)) {
        for (int v = 0; v < FILE_SIZES[f]; v++) {
          float[] x = new float[DIM];
          List<Integer> labels = new ArrayList<>();
          for (int j = 0; j < DIM; j++) {
            x[j] = (float) r.nextDouble(-1, 1);
            if (j < CLASSES && x[j] > 0) {
              labels.add(j);
            }
          }
          int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
          w.write(codec.encode(new VideoRecord("v" + id++, l, 1, x)));
        }
      }
      out.add(file.toString());
    }
    return out;
  }

  static VideoModel model() {
    ModelConfig mc = new ModelConfig(SPEC, new TrunkConfig.VideoMlp(List.of(6), true));
    return VideoModel.initialize(mc, ExpertAllocation.fixed(CLASSES, 2), Seeds.stream(17));
  }

  static TrainConfig config(int trunkSteps, int chunkRows) {
    return new TrainConfig(1, 0, 8, AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 1, HeadConfig.fixed(2, 0f), 1,
        LbfgsConfig.of(10, 1e-7, 1e-10), trunkSteps, IRpropConfig.defaults(), 1e-3f, chunkRows);
  }

  @Test
  void runsOnTheRequestedMaster() {
    assertEquals(master(), session.sparkContext().master());
    assertEquals(Integer.parseInt(master().replaceAll("\\D", "")), engine.parallelism());
  }

  @Test
  void onePartitionPerFileInOrder() {
    assertEquals(files, engine.files());
    assertEquals(FILE_SIZES.length, engine.shards());
    Engine.ShardTask<List<Integer>> rows = shard -> {
      org.vidar.data.batch.VideoBatch b = new org.vidar.data.batch.VideoBatch(FeatureSpec.Level.VIDEO, DIM);
      int n = 0;
      while (shard.next(b, 3)) {
        n += b.rows;
      }
      return new ArrayList<>(List.of(shard.index(), n));
    };
    Engine.Combine<List<Integer>> concat = (a, b) -> {
      List<Integer> c = new ArrayList<>(a);
      c.addAll(b);
      return c;
    };
    List<Integer> all = engine.aggregateShards(rows, concat);
    int[] seen = new int[FILE_SIZES.length];
    for (int i = 0; i < all.size(); i += 2) {
      seen[all.get(i)] = all.get(i + 1);
    }
    assertEquals(List.of(11, 7, 13, 1), java.util.Arrays.stream(seen).boxed().toList());
  }

  @Test
  void trunkGradientSumsMatchTheLocalEngine() {
    VideoModel m = model();
    LossGradient local;
    try (LocalEngine e = new LocalEngine(dataset, 2, 3)) {
      local = e.aggregateShards(s -> TrunkGradient.overShard(m, m.trunkParams(), s, 5), LossGradient::plus);
    }
    LossGradient spark;
    try (Engine.Shared<VideoModel> bm = engine.shareModel(m);
        Engine.Shared<float[]> bp = engine.shareArray(m.trunkParams().clone())) {
      spark = engine.aggregateShards(s -> TrunkGradient.overShard(bm.get(), bp.get(), s, 5), LossGradient::plus);
    }
    assertEquals(dataset.size(), spark.videos());
    assertEquals(local.videos(), spark.videos());
    assertEquals(local.loss(), spark.loss(), 1e-6 * Math.abs(local.loss()));
    assertEquals(local.gradient().length, spark.gradient().length);
    for (int i = 0; i < local.gradient().length; i++) {
      assertEquals(local.gradient()[i], spark.gradient()[i], 1e-5 * Math.max(1, Math.abs(local.gradient()[i])),
          "gradient " + i);
    }
  }

  @Test
  void frameLevelShardsSampleTheSameFramesAsTheLocalEngine() throws IOException {
    FeatureSpec frames = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("id"), "labels",
        List.of(new FeatureField("rgb", DIM)), 2, 300);
    Path frameDir = Files.createDirectories(dir.resolve("frames"));
    SplittableRandom r = new SplittableRandom(6);
    SequenceExampleCodec codec = new SequenceExampleCodec(frames);
    int id = 0;
    for (int f = 0; f < 3; f++) {
      try (OutputStream os = Files.newOutputStream(frameDir.resolve("f" + f + ".tfrecord"));
          TfRecordWriter w = new TfRecordWriter(os)) {
        for (int v = 0; v < 5 + 2 * f; v++) {
          int n = 1 + r.nextInt(6);
          float[] x = new float[n * DIM];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
          }
          int[] labels = x[0] > 0 ? new int[] {0} : new int[] {1};
          w.write(codec.encode(new VideoRecord("f" + id++, labels, n, x)));
        }
      }
    }
    int sample = 3;
    long seed = 9;
    VideoDataset local = VideoDataset.load(DataPaths.resolve(List.of(frameDir.toString())), frames,
        BadRecordPolicy.FAIL, new FrameSampling(sample, seed));
    ModelConfig mc = new ModelConfig(frames, new TrunkConfig.Dbof(5, true, TrunkConfig.Pooling.SWAP, 4, true));
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.fixed(2, 1), Seeds.stream(4));
    LossGradient expected;
    try (LocalEngine e = new LocalEngine(local, 1, 1)) {
      expected = e.aggregateShards(s -> TrunkGradient.overShard(m, m.trunkParams(), s, 4), LossGradient::plus);
    }
    LossGradient got;
    try (SparkEngine frameEngine = SparkEngine.of(session, List.of(frameDir.toString()), frames, BadRecordPolicy.FAIL,
        new FrameSampling(sample, seed));
        Engine.Shared<VideoModel> bm = frameEngine.shareModel(m);
        Engine.Shared<float[]> bp = frameEngine.shareArray(m.trunkParams().clone())) {
      assertEquals(3, frameEngine.shards());
      got = frameEngine.aggregateShards(s -> TrunkGradient.overShard(bm.get(), bp.get(), s, 4), LossGradient::plus);
      // Stage 1's table of three draws: the same rows, in the same order, on both engines.
      List<TableRow> sparkRows = rows(frameEngine.embed(m, 4, org.vidar.train.embedding.EmbeddingPrecision.FLOAT32, 3));
      List<TableRow> localRows;
      // Every frame held, the stages' sample a view (as `vidar train` holds them): other draws possible.
      VideoDataset held = VideoDataset.load(DataPaths.resolve(List.of(frameDir.toString())), frames,
          BadRecordPolicy.FAIL, FrameSampling.ALL).sampled(new FrameSampling(sample, seed));
      try (LocalEngine e = new LocalEngine(held, 2, 2)) {
        localRows = rows(e.embed(m, 4, org.vidar.train.embedding.EmbeddingPrecision.FLOAT32, 3));
      }
      assertEquals(3 * local.size(), localRows.size());
      assertEquals(localRows.size(), sparkRows.size());
      int differ = 0;
      for (int i = 0; i < localRows.size(); i++) {
        float[] a = localRows.get(i).embedding();
        float[] b = sparkRows.get(i).embedding();
        assertEquals(localRows.get(i).key(), sparkRows.get(i).key(), "row " + i);
        assertEquals(localRows.get(i % local.size()).key(), localRows.get(i).key(), "draw after draw, row " + i);
        org.junit.jupiter.api.Assertions.assertArrayEquals(localRows.get(i % local.size()).labels(),
            sparkRows.get(i).labels(), "row " + i);
        assertEquals(a.length, b.length);
        for (int j = 0; j < a.length; j++) {
          assertEquals(a[j], b[j], 1e-6 * Math.max(1, Math.abs(a[j])), "row " + i + " value " + j);
        }
        if (i >= local.size() && !java.util.Arrays.equals(a, localRows.get(i % local.size()).embedding())) {
          differ++;
        }
      }
      assertTrue(differ > local.size() / 2, "later draws embed other frames: " + differ + " rows differ");
    }
    assertEquals(expected.videos(), got.videos());
    assertEquals(expected.loss(), got.loss(), 1e-6 * Math.abs(expected.loss()));
    for (int i = 0; i < expected.gradient().length; i++) {
      assertEquals(expected.gradient()[i], got.gradient()[i], 1e-5 * Math.max(1, Math.abs(expected.gradient()[i])),
          "gradient " + i);
    }
  }

  @Test
  void stageTwoMatchesTheLocalEngine() {
    VideoModel m = model();
    TrainConfig c = config(6, 4);
    float[] local;
    try (LocalEngine e = new LocalEngine(dataset, 2, 2)) {
      local = new TrunkStage(c).run(e, m).model().trunkParams();
    }
    StageResult tuned = new TrunkStage(c).run(engine, m);
    float[] spark = tuned.model().trunkParams();
    float[] start = m.trunkParams();
    double moved = 0;
    for (int i = 0; i < local.length; i++) {
      assertEquals(local[i], spark[i], 1e-4 * Math.max(1, Math.abs(local[i])), "trunk param " + i);
      moved += Math.abs(spark[i] - start[i]);
    }
    assertEquals(true, moved > 1e-3, "the trunk moved: " + moved);
    assertEquals(true, tuned.optimization().iterations() > 0);
  }

  @Test
  void stageOneMatchesTheLocalEngine() throws IOException {
    VideoModel m = model();
    TrainConfig c = new TrainConfig(1, 0, 8, AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 1,
        HeadConfig.fixed(2, 1e-3f), 2, LbfgsConfig.of(15, 1e-7, 1e-10), 0, IRpropConfig.defaults(), 0f, 5);
    long[] positives = dataset.positivesPerClass(CLASSES);
    VideoModel local;
    try (LocalEngine e = new LocalEngine(dataset, 2, 3)) {
      local = new HeadStage(c).run(e, m, e.embed(m, 5), positives, 1).model();
    }
    EmbeddingSource shards = engine.embed(m, 5);
    VideoModel spark = new HeadStage(c).run(engine, m, shards, positives, 1).model();
    assertEquals(FILE_SIZES.length, ((org.vidar.train.embedding.EmbeddingFiles.Source) shards).files().size());
    float[] a = local.headParams();
    float[] b = spark.headParams();
    float[] start = new float[a.length];
    assertEquals(a.length, b.length);
    double moved = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-3 * Math.max(1, Math.abs(a[i])), "head param " + i);
      moved += Math.abs(b[i] - start[i]);
    }
    assertEquals(true, moved > 1e-2, "the heads were trained: " + moved);
    // Discarding the table deletes its shards and their directory.
    List<String> files = ((org.vidar.train.embedding.EmbeddingFiles.Source) shards).files();
    for (String f : files) {
      assertTrue(DataPaths.exists(f), f);
    }
    engine.discard(shards);
    for (String f : files) {
      assertFalse(DataPaths.exists(f), f);
    }
    assertFalse(DataPaths.exists(Path.of(files.get(0)).getParent().toString()));
  }

  @Test
  void wholePipelineMatchesTheLocalEngine() throws IOException {
    TrainConfig c = new TrainConfig(1, 2, 8, AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 1,
        HeadConfig.fixed(2, 1e-3f), 2, LbfgsConfig.of(10, 1e-7, 1e-10), 3, IRpropConfig.defaults(), 0f, 5);
    ModelConfig mc = new ModelConfig(SPEC, new TrunkConfig.VideoMlp(List.of(6), true));
    assertArrayEquals(dataset.positivesPerClass(CLASSES), Trainer.count(engine, CLASSES).positives());
    List<String> stages = new ArrayList<>();
    VideoModel local;
    try (LocalEngine e = new LocalEngine(dataset, 2, 3)) {
      local = new Trainer(c).train(e, new InMemoryPretrainData(dataset), mc, (s, r, t) -> { });
    }
    List<String> workBefore = DataPaths.list(engine.workDir());
    VideoModel spark = new Trainer(c).train(engine, new InMemoryPretrainData(dataset), mc,
        (s, r, t) -> stages.add(s));
    assertEquals(List.of("pretrain", "round 1 heads", "round 1 trunk"), stages);
    assertEquals(workBefore, DataPaths.list(engine.workDir()), "the round's embedding shards are deleted");
    assertClose(local.trunkParams(), spark.trunkParams(), "trunk");
    assertClose(local.headParams(), spark.headParams(), "heads");
  }

  /** bfloat16 embedding shards, half-data trunk steps and continued heads give the local engine's model too. */
  @Test
  void pipelineOptionsMatchTheLocalEngine() throws IOException {
    TrainConfig c = new TrainConfig(1, 1, 8, AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 2,
        HeadConfig.fixed(2, 1e-3f), 2, LbfgsConfig.of(6, 1e-7, 1e-10), 3, IRpropConfig.defaults(), 0f, 5)
        .withEmbeddingPrecision(org.vidar.train.embedding.EmbeddingPrecision.BFLOAT16).withTrunkFraction(0.5)
        .withContinueHeads(true);
    ModelConfig mc = new ModelConfig(SPEC, new TrunkConfig.VideoMlp(List.of(6), true));
    VideoModel local;
    try (LocalEngine e = new LocalEngine(dataset, 2, 3)) {
      local = new Trainer(c).train(e, new InMemoryPretrainData(dataset), mc, (s, r, t) -> { });
    }
    VideoModel spark = new Trainer(c).train(engine, new InMemoryPretrainData(dataset), mc, (s, r, t) -> { });
    assertClose(local.trunkParams(), spark.trunkParams(), "trunk");
    assertClose(local.headParams(), spark.headParams(), "heads");
  }

  private static void assertClose(float[] a, float[] b, String what) {
    assertEquals(a.length, b.length, what);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-3 * Math.max(1, Math.abs(a[i])), what + " param " + i);
    }
  }

  @Test
  void batchInferenceWritesOneCsvAndParquetThatAgreeWithLocalScoring() throws IOException {
    VideoModel m = model();
    Path out = dir.resolve("predict-" + master().replaceAll("\\W", ""));
    String csv = out.resolve("predictions.csv").toString();
    String parquet = out.resolve("parquet").toString();
    SparkPredictor.Result r = SparkPredictor.predict(session, m, new SparkPredictor.Request(DataPaths.resolve(files),
        BadRecordPolicy.FAIL, 2, 4, out.resolve("work").toString(), csv, parquet, List.of("a", "b", "c"), 1));
    assertEquals(dataset.size(), r.videos());
    assertEquals(0, r.skipped().total());
    assertEquals(List.of(), DataPaths.list(out.resolve("work").toString()), "the parts are deleted once joined");
    // The best class of every video, scored here without Spark.
    java.util.Map<String, Integer> best = new java.util.HashMap<>();
    org.vidar.inference.StreamingScorer.score(m, DataPaths.resolve(files), BadRecordPolicy.FAIL, 4,
        (id, labels, probs, offset) -> {
          int[] top = new int[1];
          org.vidar.eval.TopClasses.select(probs, offset, CLASSES, 1, top, new float[1]);
          best.put(id, top[0]);
        });
    List<String> lines = Files.readAllLines(Path.of(csv));
    assertEquals("VideoId,LabelConfidencePairs", lines.get(0));
    assertEquals(dataset.size() + 1, lines.size());
    for (String line : lines.subList(1, lines.size())) {
      String[] parts = line.split(",", 2);
      String[] pairs = parts[1].split(" ");
      assertEquals(4, pairs.length, line);
      assertEquals(best.get(parts[0]).intValue(), Integer.parseInt(pairs[0]), line);
    }
    List<org.apache.spark.sql.Row> rows = session.read().parquet(parquet).collectAsList();
    assertEquals(dataset.size(), rows.size());
    for (org.apache.spark.sql.Row row : rows) {
      int top = row.<Integer>getList(1).get(0);
      assertEquals(best.get(row.getString(0)).intValue(), top);
      assertEquals(List.of("a", "b", "c").get(top), row.getList(2).get(0));
    }
  }

  /** Scoring the heads by class groups gives the whole model's top classes, in the same file order. */
  @Test
  void batchInferenceByClassGroupsMatchesWholeModelScoring() throws IOException {
    VideoModel m = model();
    Path out = dir.resolve("predict-groups-" + master().replaceAll("\\W", ""));
    String whole = out.resolve("whole.csv").toString();
    String grouped = out.resolve("grouped.csv").toString();
    SparkPredictor.predict(session, m, new SparkPredictor.Request(DataPaths.resolve(files), BadRecordPolicy.FAIL, 2,
        4, out.resolve("work").toString(), whole, null, List.of(), 1));
    SparkPredictor.Result r = SparkPredictor.predict(session, m, new SparkPredictor.Request(DataPaths.resolve(files),
        BadRecordPolicy.FAIL, 2, 4, out.resolve("work").toString(), grouped, out.resolve("parquet").toString(), List.of(),
        2));
    assertEquals(List.of(), DataPaths.list(out.resolve("work").toString()), "the parts and group lists are deleted");
    assertEquals(dataset.size(), r.videos());
    List<String> a = Files.readAllLines(Path.of(whole));
    List<String> b = Files.readAllLines(Path.of(grouped));
    assertEquals(a.size(), b.size());
    assertEquals(dataset.size() + 1, b.size());
    for (int i = 1; i < a.size(); i++) {
      String[] x = a.get(i).split("[, ]");
      String[] y = b.get(i).split("[, ]");
      assertEquals(x.length, y.length, b.get(i));
      assertEquals(5, y.length, "id and two pairs: " + b.get(i));
      assertEquals(x[0], y[0]);
      for (int j = 1; j < x.length; j += 2) {
        assertEquals(x[j], y[j], "class of " + b.get(i));
        assertEquals(Float.parseFloat(x[j + 1]), Float.parseFloat(y[j + 1]), 1e-5, "score of " + b.get(i));
      }
    }
    assertEquals(dataset.size(), session.read().parquet(out.resolve("parquet").toString()).count());
  }

  @Test
  void mapItemsKeepsItemOrder() {
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      items.add(i);
    }
    List<String> out = engine.mapItems(items, i -> i + ":" + i * i);
    for (int i = 0; i < items.size(); i++) {
      assertEquals(i + ":" + i * i, out.get(i));
    }
    assertEquals(List.of(), engine.mapItems(List.<Integer>of(), i -> ""));
  }

  /** One row of an embedding table. */
  record TableRow(float[] embedding, long key, int[] labels) {}

  /** Every row of a table, in its order. */
  private static List<TableRow> rows(org.vidar.train.embedding.EmbeddingSource table) {
    List<TableRow> out = new java.util.ArrayList<>();
    int d = table.dim();
    table.forEachChunk(1000, (emb, n, labels, offsets, keys) -> {
      for (int r = 0; r < n; r++) {
        out.add(new TableRow(java.util.Arrays.copyOfRange(emb, r * d, (r + 1) * d), keys[r],
            java.util.Arrays.copyOfRange(labels, offsets[r], offsets[r + 1])));
      }
    });
    return out;
  }
}
