package org.vidar.spark.ml;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.vidar.data.DataPaths;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.spark.ModelBytes;
import org.vidar.train.TrainConfig;

/**
 * A trained Vidar model as a Spark ML Transformer: {@code transform} appends each video's top-k
 * classes (array&lt;int&gt;, best first) and their scores (array&lt;float&gt;), map-only, the model
 * broadcast once per call (the context cleaner releases it when the result is no longer referenced).
 * It reads the vector column {@code featuresCol}, or the array columns its model was trained on
 * (YouTube-8M's {@code mean_rgb} and {@code mean_audio}).
 *
 * <p>Saved as Spark ML's parameter metadata ({@code metadata/}) beside a Vidar model directory
 * ({@code model/}: {@code model.json} and {@code model.safetensors}, which {@code vidar predict}
 * reads too); nothing is Java-deserialized from the files.
 */
public final class VidarClassificationModel extends Model<VidarClassificationModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  static final String DEFAULT_CLASSES_COL = "classes";
  static final String DEFAULT_SCORES_COL = "scores";
  /** The Vidar model directory under a saved stage's path. */
  static final String MODEL_DIR = "model";

  private final String uid;
  private final transient VideoModel model;
  private final transient ObjectNode provenance;
  private transient volatile ModelBytes bytes;
  private final Param<String> featuresCol;
  private final Param<String> classesCol;
  private final Param<String> scoresCol;
  private final IntParam topK;
  private final IntParam chunkRows;

  VidarClassificationModel(String uid, VideoModel model, ObjectNode provenance) {
    this.uid = uid;
    this.model = model;
    this.provenance = provenance;
    featuresCol = new Param<>(this, "featuresCol", "the vector column of each video's features; without it, the "
        + "array columns the model was trained on");
    classesCol = new Param<>(this, "classesCol", "output: each video's top-k classes, best first (array<int>)");
    scoresCol = new Param<>(this, "scoresCol", "output: their scores, probabilities (array<float>)");
    topK = new IntParam(this, "topK", "classes a video in the output", ParamValidators.gtEq(1));
    chunkRows = new IntParam(this, "chunkRows", "videos scored at once", ParamValidators.gtEq(1));
    setDefault(featuresCol, "features");
    setDefault(classesCol, DEFAULT_CLASSES_COL);
    setDefault(scoresCol, DEFAULT_SCORES_COL);
    setDefault(topK, YouTube8mEvaluator.DEFAULT_TOP_K);
    setDefault(chunkRows, TrainConfig.DEFAULT_CHUNK_ROWS);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The Vidar model that scores (owned by this stage: do not modify its arrays). */
  public VideoModel videoModel() {
    return model;
  }

  /** How the model was trained (a copy), as its {@code model.json} records it. */
  public ObjectNode provenance() {
    return provenance.deepCopy();
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> classesCol() {
    return classesCol;
  }

  public Param<String> scoresCol() {
    return scoresCol;
  }

  public IntParam topK() {
    return topK;
  }

  public IntParam chunkRows() {
    return chunkRows;
  }

  public String getFeaturesCol() {
    return getOrDefault(featuresCol);
  }

  public String getClassesCol() {
    return getOrDefault(classesCol);
  }

  public String getScoresCol() {
    return getOrDefault(scoresCol);
  }

  public int getTopK() {
    return (Integer) getOrDefault(topK);
  }

  public int getChunkRows() {
    return (Integer) getOrDefault(chunkRows);
  }

  public VidarClassificationModel setFeaturesCol(String value) {
    set(featuresCol, value);
    return this;
  }

  public VidarClassificationModel setClassesCol(String value) {
    set(classesCol, value);
    return this;
  }

  public VidarClassificationModel setScoresCol(String value) {
    set(scoresCol, value);
    return this;
  }

  public VidarClassificationModel setTopK(int value) {
    set(topK, value);
    return this;
  }

  public VidarClassificationModel setChunkRows(int value) {
    set(chunkRows, value);
    return this;
  }

  /** The input's features as this model reads them (the vector's size checked row by row). */
  private VideoColumns columns(StructType schema) {
    VideoColumns found = VideoColumns.resolve(schema, getFeaturesCol(), model.config().features().features());
    return found.vector() ? found.withVectorSize(model.config().inputDim()) : found;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    columns(schema);
    return withOutputs(schema, getClassesCol(), getScoresCol());
  }

  /** {@code schema} with the two output columns appended, refusing names it already has. */
  static StructType withOutputs(StructType schema, String classes, String scores) {
    VideoColumns.checkAbsent(schema, classes, "classesCol");
    VideoColumns.checkAbsent(schema, scores, "scoresCol");
    if (classes.equals(scores)) {
      throw new IllegalArgumentException("classesCol and scoresCol are both '" + classes + "'");
    }
    return schema.add(classes, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add(scores, DataTypes.createArrayType(DataTypes.FloatType, false), false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> data = dataset.toDF();
    StructType out = transformSchema(data.schema());
    VideoColumns columns = columns(data.schema());
    Broadcast<ModelBytes> shared = data.sparkSession().sparkContext()
        .broadcast(modelBytes(), scala.reflect.ClassTag$.MODULE$.apply(ModelBytes.class));
    return data.mapPartitions(new TopClassesFunction(shared, columns, columns.indices(data.schema()), getTopK(),
        getChunkRows()), Encoders.row(out));
  }

  /** The model's files as bytes, encoded once. */
  private ModelBytes modelBytes() {
    ModelBytes b = bytes;
    if (b == null) {
      b = ModelBytes.of(model);
      bytes = b;
    }
    return b;
  }

  @Override
  public VidarClassificationModel copy(ParamMap extra) {
    VidarClassificationModel copied = copyValues(new VidarClassificationModel(uid, model, provenance), extra);
    return copied.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** Reads a stage {@link #write} saved. */
  public static MLReader<VidarClassificationModel> read() {
    return new Reader();
  }

  public static VidarClassificationModel load(String path) {
    return read().load(path);
  }

  /** The Params' metadata as {@code DefaultParamsWriter} writes it, then the Vidar model directory. */
  private static final class Writer extends MLWriter {
    private final VidarClassificationModel stage;

    Writer(VidarClassificationModel stage) {
      this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(stage, path, sparkSession());
      try {
        ModelFiles.save(DataPaths.join(path, MODEL_DIR), stage.model, List.of(), stage.provenance);
      } catch (IOException e) {
        throw new UncheckedIOException("saving the Vidar model under " + path, e);
      }
    }
  }

  /** The Vidar model read through {@link ModelFiles}' validated reader, then the Params. */
  private static final class Reader extends MLReader<VidarClassificationModel> {
    @Override
    public VidarClassificationModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(),
          VidarClassificationModel.class.getName());
      ModelFiles.Saved saved;
      try {
        saved = ModelFiles.load(DataPaths.join(path, MODEL_DIR));
      } catch (IOException e) {
        throw new UncheckedIOException("loading the Vidar model under " + path, e);
      }
      VidarClassificationModel stage = new VidarClassificationModel(metadata.uid(), saved.model(), saved.provenance());
      metadata.getAndSetParams(stage, metadata.getAndSetParams$default$2());
      return stage;
    }
  }

  /**
   * The model of a Vidar model directory ({@code vidar train}'s output) as a Pipeline stage, with
   * every Param at its default.
   */
  public static VidarClassificationModel fromModelDirectory(String dir) throws IOException {
    ModelFiles.Saved saved = ModelFiles.load(dir);
    return new VidarClassificationModel(Identifiable.randomUID("VidarClassificationModel"), saved.model(),
        saved.provenance());
  }
}
