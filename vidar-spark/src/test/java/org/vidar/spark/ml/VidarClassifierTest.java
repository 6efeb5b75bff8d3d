package org.vidar.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.vidar.data.FeatureSpec;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.VideoBatch;
import org.vidar.eval.TopClasses;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;

/**
 * The Pipeline stages in a real local session: a VectorAssembler in front of the classifier, fit on
 * separable synthetic videos, saved and loaded, scoring as Vidar's own scorer does; and bad input
 * refused with the column's name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VidarClassifierTest {
  private static final int DIM = 6;
  private static final int CLASSES = 4;
  private static final int VIDEOS = 320;
  private static final String[] INPUTS = {"x0", "x1", "x2", "x3", "x4", "x5"};

  private SparkSession session;
  private Path dir;

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory("vidar-ml-test-");
    session = SparkSession.builder().master("local[2]").appName("vidar-ml-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  void stop() throws IOException {
    if (session != null) {
      session.stop();
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Video i belongs to class i % 4, whose features point along axis c (plus noise on every axis). */
  private Dataset<Row> videos() {
    SplittableRandom random = new SplittableRandom(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < VIDEOS; i++) {
      int c = i % CLASSES;
      Object[] values = new Object[DIM + 2];
      values[0] = "video-" + i;
      for (int j = 0; j < DIM; j++) {
        values[1 + j] = (j == c ? 3.0 : 0.0) + random.nextGaussian() * 0.5;
      }
      values[DIM + 1] = new Integer[] {c};
      rows.add(RowFactory.create(values));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType, false);
    for (String x : INPUTS) {
      schema = schema.add(x, DataTypes.DoubleType, false);
    }
    schema = schema.add("labels", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
    return session.createDataFrame(rows, schema).repartition(3);
  }

  /** A tiny model trained in seconds: one hidden layer, 2 pre-training epochs, one round. */
  private static VidarClassifier tinyClassifier() {
    return new VidarClassifier().setIdCol("id").setHiddenLayers(8).setPretrainEpochs(2).setPretrainHoldout(0)
        .setRounds(1).setTrunkSteps(2).setBatchSize(32).setExperts(2).setHeadEpochs(5).setTopK(3).setChunkRows(50);
  }

  @Test
  void aPipelineFitsSavesLoadsAndScoresAsVidarDoes() throws IOException {
    Dataset<Row> data = videos();
    VectorAssembler assembler = new VectorAssembler().setInputCols(INPUTS).setOutputCol("features");
    Path work = dir.resolve("work");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler,
        tinyClassifier().setWorkDir(work.toString())});
    PipelineModel fitted = pipeline.fit(data);
    // The videos' TFRecord shards and the stages' intermediate data are gone once fit returns.
    if (Files.exists(work)) {
      try (var left = Files.list(work)) {
        assertEquals(List.of(), left.toList());
      }
    }
    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    PipelineModel loaded = PipelineModel.load(saved);

    Dataset<Row> scored = loaded.transform(data);
    StructType schema = scored.schema();
    assertEquals(new ArrayType(DataTypes.IntegerType, false), schema.apply("classes").dataType());
    assertEquals(new ArrayType(DataTypes.FloatType, false), schema.apply("scores").dataType());

    Map<String, Row> original = byId(fitted.transform(data).collectAsList());
    Map<String, Row> reloaded = byId(scored.collectAsList());
    assertEquals(VIDEOS, reloaded.size());
    VidarClassificationModel stage = (VidarClassificationModel) loaded.stages()[1];
    assertEquals(3, stage.getTopK());
    VideoModel model = stage.videoModel();
    VideoModel.Scorer scorer = model.newScorer();
    int right = 0;
    for (Map.Entry<String, Row> e : reloaded.entrySet()) {
      Row row = e.getValue();
      Row before = original.get(e.getKey());
      List<Integer> classes = row.getList(row.fieldIndex("classes"));
      List<Float> scores = row.getList(row.fieldIndex("scores"));
      // The loaded pipeline gives the fitted one's output, bit for bit.
      assertEquals(before.getList(before.fieldIndex("classes")), classes, e.getKey());
      assertEquals(before.getList(before.fieldIndex("scores")), scores, e.getKey());
      // And Vidar's scorer, run directly on the features, gives the same top 3.
      Vector features = (Vector) row.get(row.fieldIndex("features"));
      float[] values = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        values[j] = (float) features.apply(j);
      }
      VideoBatch batch = new VideoBatch(FeatureSpec.Level.VIDEO, DIM);
      batch.append(new VideoRecord(e.getKey(), new int[0], 1, values), null);
      float[] probs = new float[CLASSES];
      scorer.score(batch, probs);
      int[] top = new int[3];
      float[] best = new float[3];
      assertEquals(3, TopClasses.select(probs, 0, CLASSES, 3, top, best));
      assertArrayEquals(top, classes.stream().mapToInt(Integer::intValue).toArray(), e.getKey());
      for (int j = 0; j < 3; j++) {
        assertEquals(best[j], scores.get(j), 1e-6f, e.getKey());
      }
      int label = row.<Integer>getList(row.fieldIndex("labels")).get(0);
      right += classes.get(0) == label ? 1 : 0;
    }
    // Chance is a quarter; the classes are separable.
    assertTrue(right > 0.9 * VIDEOS, right + " of " + VIDEOS + " right at top 1");

    // The stage's model directory is Vidar's own format, which `vidar predict` reads.
    Path modelDir;
    try (var found = Files.list(Path.of(saved, "stages"))) {
      modelDir = found.filter(p -> p.getFileName().toString().contains("VidarClassifier")).findFirst().orElseThrow()
          .resolve(VidarClassificationModel.MODEL_DIR);
    }
    ModelFiles.Saved files = ModelFiles.load(modelDir.toString());
    assertEquals(CLASSES, files.model().config().numClasses());
    assertEquals(DIM, files.model().config().inputDim());
    assertEquals(VIDEOS, files.provenance().get("data").get("trainVideos").asLong());
  }

  @Test
  void anUnfittedClassifierSavesAndLoadsItsParams() throws IOException {
    String path = dir.resolve("classifier").toString();
    tinyClassifier().setLearningRate(0.01).setHeadOptimizer("lbfgs").write().overwrite().save(path);
    VidarClassifier loaded = VidarClassifier.load(path);
    assertArrayEquals(new int[] {8}, loaded.getHiddenLayers());
    assertEquals(3, loaded.getTopK());
    assertEquals("id", loaded.getIdCol());
    assertEquals(0.01, loaded.trainConfig(true).adam().learningRate());
    assertEquals(org.vidar.train.TrainConfig.HeadOptimizer.LBFGS, loaded.trainConfig(true).headOptimizer());
    // Unset Params keep the CLI's defaults.
    assertEquals(org.vidar.train.TrainConfig.DEFAULT_LBFGS_ITERATIONS, loaded.trainConfig(true).lbfgs().maxIterations());
    org.vidar.train.TrainConfig defaults = new VidarClassifier().trainConfig(false);
    org.vidar.train.TrainConfig cli = org.vidar.train.TrainConfig.defaults();
    assertEquals(cli.adam(), defaults.adam());
    assertEquals(cli.batchSize(), defaults.batchSize());
    assertEquals(cli.pretrainEpochs(), defaults.pretrainEpochs());
    assertEquals(cli.rounds(), defaults.rounds());
    assertEquals(cli.heads().maxExperts(), defaults.heads().maxExperts());
    assertEquals(cli.irprop(), defaults.irprop());
    // heads start as vidar train's: fresh on the features, grown on a trunk, or as set
    assertEquals(false, defaults.continueHeads());
    assertEquals(true, new VidarClassifier().trainConfig(true).continueHeads());
    // the learning rate too: the features' or a trunk's default unless set
    assertEquals(org.vidar.train.TrainConfig.DEFAULT_TRUNK_LEARNING_RATE,
        new VidarClassifier().trainConfig(true).adam().learningRate());
    assertEquals(0.01, loaded.trainConfig(false).adam().learningRate());
    // and the batch
    assertEquals(org.vidar.train.TrainConfig.DEFAULT_TRUNK_BATCH_SIZE, new VidarClassifier().trainConfig(true).batchSize());
    assertEquals(64, new VidarClassifier().setBatchSize(64).trainConfig(true).batchSize());
    assertEquals(org.vidar.train.TrainConfig.DEFAULT_TRUNK_PRETRAIN_CLIP,
        new VidarClassifier().trainConfig(true).pretrainClip());
    assertEquals(0, new VidarClassifier().trainConfig(false).pretrainClip());
    assertEquals(0.5, new VidarClassifier().setPretrainClip(0.5).trainConfig(false).pretrainClip());
    assertEquals(false, new VidarClassifier().setHeadStart("fresh").trainConfig(true).continueHeads());
    VidarClassifier grown = VidarClassifier.load(writeGrown());
    assertEquals("grown", grown.getOrDefault(grown.headStart()));
  }

  private String writeGrown() throws IOException {
    String path = dir.resolve("grown-classifier").toString();
    tinyClassifier().setHeadStart("grown").write().overwrite().save(path);
    return path;
  }

  @Test
  void youTube8mColumnsTrainWithoutAnAssembler() {
    SplittableRandom random = new SplittableRandom(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      int c = i % 2;
      Float[] rgb = new Float[1024];
      Float[] audio = new Float[128];
      for (int j = 0; j < rgb.length; j++) {
        rgb[j] = (float) ((j % 2 == c ? 1.0 : 0.0) + random.nextGaussian() * 0.3);
      }
      for (int j = 0; j < audio.length; j++) {
        audio[j] = (float) random.nextGaussian();
      }
      rows.add(RowFactory.create(rgb, audio, new Integer[] {c}));
    }
    StructType schema = new StructType()
        .add("mean_rgb", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("mean_audio", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("labels", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
    Dataset<Row> data = session.createDataFrame(rows, schema);
    // Heads on the features: no pre-training, one Stage 1.
    VidarClassificationModel model = new VidarClassifier().setExperts(1).setHeadEpochs(5).setBatchSize(32)
        .setTopK(1).fit(data);
    assertEquals(FeatureSpec.youtube8mVideo(2), model.videoModel().config().features());
    List<Row> scored = model.transform(data).select("labels", "classes").collectAsList();
    long right = scored.stream().filter(r -> r.getList(0).equals(r.getList(1))).count();
    assertTrue(right > 0.9 * scored.size(), right + " of " + scored.size());
  }

  @Test
  void aMissingOrMistypedColumnIsNamed() {
    Dataset<Row> data = new VectorAssembler().setInputCols(INPUTS).setOutputCol("features").transform(videos());
    VidarClassifier classifier = tinyClassifier();

    IllegalArgumentException noLabels = assertThrows(IllegalArgumentException.class,
        () -> classifier.fit(data.drop("labels")));
    assertTrue(noLabels.getMessage().contains("no column 'labels'"), noLabels.getMessage());

    IllegalArgumentException stringLabels = assertThrows(IllegalArgumentException.class,
        () -> classifier.fit(data.withColumn("labels", data.col("id"))));
    assertTrue(stringLabels.getMessage().contains("column 'labels' is string, not array<int>"),
        stringLabels.getMessage());

    IllegalArgumentException noFeatures = assertThrows(IllegalArgumentException.class,
        () -> new Pipeline().setStages(new PipelineStage[] {classifier}).fit(videos()));
    assertTrue(noFeatures.getMessage().contains("no column 'features'")
        && noFeatures.getMessage().contains("mean_rgb"), noFeatures.getMessage());

    IllegalArgumentException arrayFeatures = assertThrows(IllegalArgumentException.class,
        () -> classifier.fit(data.withColumn("features", org.apache.spark.ml.functions.vector_to_array(
            data.col("features"), "float32"))));
    assertTrue(arrayFeatures.getMessage().contains("column 'features' is array<float>, not a vector"),
        arrayFeatures.getMessage());

    IllegalArgumentException badLabel = assertThrows(IllegalArgumentException.class,
        () -> classifier.copy(new org.apache.spark.ml.param.ParamMap()).setNumClasses(3).fit(data));
    assertTrue(badLabel.getMessage().contains("column 'labels' holds class 3, outside the 3 classes"),
        badLabel.getMessage());
  }

  @Test
  void aModelRefusesFeaturesOfAnotherSize() {
    Dataset<Row> data = new VectorAssembler().setInputCols(INPUTS).setOutputCol("features").transform(videos());
    VidarClassificationModel model = tinyClassifier().setPretrainEpochs(1).fit(data);
    IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
        () -> model.transform(data.withColumnRenamed("features", "vector")));
    assertTrue(taken.getMessage().contains("no column 'features'"), taken.getMessage());
    assertThrows(IllegalArgumentException.class, () -> model.transform(model.transform(data)),
        "the output columns exist already");
    Dataset<Row> shorter = new VectorAssembler().setInputCols(Arrays.copyOf(INPUTS, 5)).setOutputCol("features")
        .transform(videos());
    Exception wrongSize = assertThrows(Exception.class, () -> model.transform(shorter).collectAsList());
    assertTrue(messages(wrongSize).contains("column 'features' holds a vector of 5 values in a row; the model reads 6"),
        messages(wrongSize));
  }

  private static Map<String, Row> byId(List<Row> rows) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : rows) {
      out.put(r.getString(r.fieldIndex("id")), r);
    }
    return out;
  }

  private static String messages(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c.getMessage()).append('\n');
    }
    return s.toString();
  }
}
