package org.vidar.spark.ml;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.batch.StreamingPretrainData;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.spark.SparkEngine;
import org.vidar.train.Provenance;
import org.vidar.train.StageResult;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;

/**
 * The paper's training pipeline as a Spark ML Estimator: {@code fit} trains a Vidar model on a
 * DataFrame of videos, one row each, with a vector column of features ({@code featuresCol}, as a
 * {@code VectorAssembler} makes) or YouTube-8M's video-level columns ({@code mean_rgb},
 * {@code mean_audio}), and an array&lt;int&gt; column of class indices ({@code labelsCol}).
 *
 * <p>Distributed, never collected to the driver: the executors write each partition as a TFRecord
 * file under {@code workDir}, and the training is {@code vidar train}'s on Spark over those files
 * ({@link SparkEngine} for the stages, pre-training streamed through the driver). The DataFrame is
 * computed twice, a pass of aggregates (sizes, labels, nulls: each refused with the column's name)
 * then the write; cache it when that is costly. Video level only; the Params are
 * {@code vidar train}'s options with the same defaults.
 */
public final class VidarClassifier extends VidarClassifierParams implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(VidarClassifier.class);
  /** The columns read when the DataFrame has no {@code featuresCol}. */
  static final FeatureSpec YOUTUBE8M = FeatureSpec.youtube8mVideo(1);

  public VidarClassifier() {
    this(Identifiable.randomUID("VidarClassifier"));
  }

  public VidarClassifier(String uid) {
    super(uid);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    VideoColumns.resolve(schema, getFeaturesCol(), YOUTUBE8M.features());
    VideoColumns.checkLabels(schema, getLabelsCol());
    if (!getIdCol().isEmpty() && !VideoColumns.has(schema, getIdCol())) {
      throw new IllegalArgumentException("no column '" + getIdCol() + "' (idCol, the video ids); the columns are "
          + java.util.Arrays.toString(schema.fieldNames()));
    }
    return VidarClassificationModel.withOutputs(schema, getClassesCol(), getScoresCol());
  }

  @Override
  public VidarClassificationModel fit(Dataset<?> dataset) {
    Dataset<Row> data = dataset.toDF();
    transformSchema(data.schema());
    VideoColumns columns = VideoColumns.resolve(data.schema(), getFeaturesCol(), YOUTUBE8M.features());
    List<Column> needed = new ArrayList<>();
    columns.columns().forEach(c -> needed.add(data.col(c)));
    needed.add(data.col(getLabelsCol()));
    String idColumn = getIdCol().isEmpty() ? null : getIdCol();
    if (idColumn != null) {
      needed.add(data.col(idColumn));
    }
    Dataset<Row> videos = data.select(needed.toArray(new Column[0]));
    DataFrameShards.Summary summary = DataFrameShards.summarize(videos, columns, getLabelsCol());
    if (summary.videos() == 0) {
      throw new IllegalArgumentException("the DataFrame has no rows to train on");
    }
    if (columns.vector()) {
      if (summary.minSize() != summary.maxSize() || summary.maxSize() <= 0) {
        throw new IllegalArgumentException("column '" + getFeaturesCol() + "' holds vectors of " + summary.minSize()
            + " to " + summary.maxSize() + " values; every video needs the same positive number");
      }
      columns = columns.withVectorSize(summary.maxSize());
    }
    int classes = classes(summary);
    FeatureSpec spec = columns.vector()
        ? new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels", columns.fields(), classes,
            FeatureSpec.YT8M_MAX_FRAMES)
        : FeatureSpec.youtube8mVideo(classes);
    ModelConfig modelConfig = new ModelConfig(spec, trunkConfig());
    TrainConfig config = trainConfig(modelConfig.hasTrainableTrunk());
    SparkSession session = data.sparkSession();
    Provenance started = Provenance.start("VidarClassifier.fit",
        new Provenance.EngineInfo("spark", session.sparkContext().master(), 0, getPretrainBuffer()), config,
        new Provenance.DataInfo(List.of(), List.of(), null, false, -1, 0));
    String work = freshWorkDir();
    try {
      List<String> files = DataFrameShards.write(videos, columns, getLabelsCol(), idColumn, spec,
          DataPaths.join(work, "videos"));
      VideoModel model;
      try (SparkEngine engine = SparkEngine.of(session, files, spec, BadRecordPolicy.FAIL, config.frameSampling(),
          DataPaths.join(work, "stages"))) {
        StreamingPretrainData pretrainData = new StreamingPretrainData(DataPaths.resolve(files), spec,
            BadRecordPolicy.FAIL, config.frameSampling(), getPretrainBuffer());
        model = new Trainer(config).train(engine, pretrainData, modelConfig, VidarClassifier::logStage);
      }
      ObjectNode provenance = started.finish(summary.videos(), 0).toJson();
      ObjectNode input = provenance.putObject("dataFrame");
      input.putArray("featureColumns").addAll(columns.columns().stream()
          .map(com.fasterxml.jackson.databind.node.TextNode::valueOf).toList());
      input.put("labelsCol", getLabelsCol());
      input.put("idCol", getIdCol());
      input.put("partitions", files.size());
      VidarClassificationModel fitted = new VidarClassificationModel(uid(), model, provenance);
      return copyValues(fitted, ParamMap.empty()).setParent(this);
    } catch (IOException e) {
      throw new UncheckedIOException("training on the DataFrame's videos under " + work, e);
    } finally {
      deleteQuietly(work);
    }
  }

  /** The model's classes: {@code numClasses}, or the largest label + 1; a label outside them is refused. */
  private int classes(DataFrameShards.Summary summary) {
    String column = "column '" + getLabelsCol() + "'";
    if (summary.minLabel() != null && summary.minLabel() < 0) {
      throw new IllegalArgumentException(column + " holds class " + summary.minLabel() + "; classes start at 0");
    }
    int given = getNumClasses();
    if (given == 0) {
      if (summary.maxLabel() == null) {
        throw new IllegalArgumentException(column + " holds no label in any row; set numClasses");
      }
      if (summary.maxLabel() >= Integer.MAX_VALUE) {
        throw new IllegalArgumentException(column + " holds class " + summary.maxLabel() + ", too large");
      }
      return (int) (summary.maxLabel() + 1);
    }
    if (summary.maxLabel() != null && summary.maxLabel() >= given) {
      throw new IllegalArgumentException(column + " holds class " + summary.maxLabel() + ", outside the " + given
          + " classes of numClasses");
    }
    return given;
  }

  /** A fresh folder for this fit: under {@code workDir}, or a local temporary one. */
  private String freshWorkDir() {
    try {
      return getWorkDir().isEmpty() ? Files.createTempDirectory("vidar-ml-").toString()
          : DataPaths.join(getWorkDir(), "vidar-fit-" + UUID.randomUUID());
    } catch (IOException e) {
      throw new UncheckedIOException("making a temporary working directory", e);
    }
  }

  private static void logStage(String stage, StageResult result, double seconds) {
    LOG.info("{}: {} s, train loss {}", stage, String.format(java.util.Locale.ROOT, "%.1f", seconds), result.loss());
  }

  private static void deleteQuietly(String dir) {
    try {
      DataPaths.deleteRecursively(dir);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not delete the working directory {}: {}", dir, e.toString());
    }
  }

  @Override
  public VidarClassifier copy(ParamMap extra) {
    return (VidarClassifier) defaultCopy(extra);
  }

  /** Reads a classifier {@link #write} saved (its Params). */
  public static MLReader<VidarClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static VidarClassifier load(String path) {
    return read().load(path);
  }

  public VidarClassifier setFeaturesCol(String value) {
    set(featuresCol, value);
    return this;
  }

  public VidarClassifier setLabelsCol(String value) {
    set(labelsCol, value);
    return this;
  }

  public VidarClassifier setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public VidarClassifier setClassesCol(String value) {
    set(classesCol, value);
    return this;
  }

  public VidarClassifier setScoresCol(String value) {
    set(scoresCol, value);
    return this;
  }

  public VidarClassifier setTopK(int value) {
    set(topK, value);
    return this;
  }

  public VidarClassifier setChunkRows(int value) {
    set(chunkRows, value);
    return this;
  }

  public VidarClassifier setNumClasses(int value) {
    set(numClasses, value);
    return this;
  }

  public VidarClassifier setHiddenLayers(int... widths) {
    set(hiddenLayers, widths.clone());
    return this;
  }

  public VidarClassifier setContextGating(boolean value) {
    set(contextGating, value);
    return this;
  }

  public VidarClassifier setExperts(int value) {
    set(experts, value);
    return this;
  }

  public VidarClassifier setAdaptiveExperts(boolean value) {
    set(adaptiveExperts, value);
    return this;
  }

  public VidarClassifier setPositivesPerExpert(int value) {
    set(positivesPerExpert, value);
    return this;
  }

  public VidarClassifier setHeadL2(float value) {
    set(headL2, value);
    return this;
  }

  public VidarClassifier setSeed(long value) {
    set(seed, value);
    return this;
  }

  public VidarClassifier setPretrainEpochs(int value) {
    set(pretrainEpochs, value);
    return this;
  }

  public VidarClassifier setPretrainExperts(int value) {
    set(pretrainExperts, value);
    return this;
  }

  public VidarClassifier setPretrainL2(float value) {
    set(pretrainL2, value);
    return this;
  }

  public VidarClassifier setPretrainHoldout(double value) {
    set(pretrainHoldout, value);
    return this;
  }

  public VidarClassifier setPretrainPatience(int value) {
    set(pretrainPatience, value);
    return this;
  }

  /** Pre-training's per-tensor gradient norm limit (0: none). */
  public VidarClassifier setPretrainClip(double value) {
    set(pretrainClip, value);
    return this;
  }

  public VidarClassifier setPretrainDecay(double value) {
    set(pretrainDecay, value);
    return this;
  }

  public VidarClassifier setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public VidarClassifier setLearningRate(double value) {
    set(learningRate, value);
    return this;
  }

  public VidarClassifier setRounds(int value) {
    set(rounds, value);
    return this;
  }

  /** {@code adam} or {@code lbfgs}. */
  public VidarClassifier setHeadOptimizer(String value) {
    set(headOptimizer, value);
    return this;
  }

  public VidarClassifier setHeadEpochs(int value) {
    set(headEpochs, value);
    return this;
  }

  public VidarClassifier setLbfgsIterations(int value) {
    set(lbfgsIterations, value);
    return this;
  }

  public VidarClassifier setHeadGroups(int value) {
    set(headGroups, value);
    return this;
  }

  public VidarClassifier setTrunkSteps(int value) {
    set(trunkSteps, value);
    return this;
  }

  public VidarClassifier setTrunkL2(float value) {
    set(trunkL2, value);
    return this;
  }

  public VidarClassifier setTrunkFraction(double value) {
    set(trunkFraction, value);
    return this;
  }

  /** {@code auto}, {@code grown} or {@code fresh}. */
  public VidarClassifier setHeadStart(String value) {
    set(headStart, value);
    return this;
  }

  /** {@code float32}, {@code float16} or {@code bfloat16}. */
  public VidarClassifier setEmbeddingPrecision(String value) {
    set(embeddingPrecision, value);
    return this;
  }

  public VidarClassifier setPretrainBuffer(int value) {
    set(pretrainBuffer, value);
    return this;
  }

  public VidarClassifier setWorkDir(String value) {
    set(workDir, value);
    return this;
  }
}
