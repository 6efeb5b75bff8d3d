package org.vidar.spark.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.vidar.data.batch.StreamingPretrainData;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.model.TrunkConfig;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.train.TrainConfig;
import org.vidar.train.embedding.EmbeddingPrecision;

/**
 * The Params of {@link VidarClassifier}: the columns, and {@code vidar train}'s video-level options
 * under the same names in camel case, each with the default the CLI takes from the same constant
 * ({@link TrainConfig}, {@link HeadConfig}); {@link #trainConfig} maps them onto the core's records,
 * whose validation names the setting.
 */
abstract class VidarClassifierParams extends Estimator<VidarClassificationModel> {
  private static final long serialVersionUID = 1L;
  private final String uid;

  // Columns.
  final Param<String> featuresCol;
  final Param<String> labelsCol;
  final Param<String> idCol;
  final Param<String> classesCol;
  final Param<String> scoresCol;
  final IntParam topK;
  final IntParam chunkRows;
  // The model.
  final IntParam numClasses;
  final IntArrayParam hiddenLayers;
  final BooleanParam contextGating;
  final IntParam experts;
  final BooleanParam adaptiveExperts;
  final IntParam positivesPerExpert;
  final FloatParam headL2;
  // Training.
  final LongParam seed;
  final IntParam pretrainEpochs;
  final IntParam pretrainExperts;
  final FloatParam pretrainL2;
  final DoubleParam pretrainHoldout;
  final IntParam pretrainPatience;
  final DoubleParam pretrainDecay;
  final DoubleParam pretrainClip;
  final IntParam batchSize;
  final DoubleParam learningRate;
  final IntParam rounds;
  final Param<String> headOptimizer;
  final IntParam headEpochs;
  final IntParam lbfgsIterations;
  final IntParam headGroups;
  final IntParam trunkSteps;
  final FloatParam trunkL2;
  final DoubleParam trunkFraction;
  final Param<String> headStart;
  final Param<String> embeddingPrecision;
  final IntParam pretrainBuffer;
  final Param<String> workDir;

  VidarClassifierParams(String uid) {
    this.uid = uid;
    featuresCol = new Param<>(this, "featuresCol", "the vector column of each video's features; without it, the "
        + "YouTube-8M video-level columns mean_rgb (1024 floats) and mean_audio (128)");
    labelsCol = new Param<>(this, "labelsCol", "the column of each video's class indices, array<int>");
    idCol = new Param<>(this, "idCol", "the column of video ids, which choose the held-out videos and per-video "
        + "random streams (empty: row-P-I, the row's partition and position)");
    classesCol = new Param<>(this, "classesCol", "output: each video's top-k classes, best first (array<int>)");
    scoresCol = new Param<>(this, "scoresCol", "output: their scores, probabilities (array<float>)");
    topK = new IntParam(this, "topK", "classes a video in the output", ParamValidators.gtEq(1));
    chunkRows = new IntParam(this, "chunkRows", "videos scored at once, and per batch in training's full-batch "
        + "passes", ParamValidators.gtEq(1));
    numClasses = new IntParam(this, "numClasses", "classes of the model (0: the largest label + 1)",
        ParamValidators.gtEq(0));
    hiddenLayers = new IntArrayParam(this, "hiddenLayers", "hidden layer widths of the trunk (empty: the heads sit "
        + "on the features)");
    contextGating = new BooleanParam(this, "contextGating", "context gating after the last hidden layer");
    experts = new IntParam(this, "experts", "experts per class in Stage 1 (the cap when adaptive)",
        ParamValidators.gtEq(1));
    adaptiveExperts = new BooleanParam(this, "adaptiveExperts", "experts grow with a class's positives up to "
        + "experts");
    positivesPerExpert = new IntParam(this, "positivesPerExpert", "adaptive: one expert per this many positives",
        ParamValidators.gtEq(1));
    headL2 = new FloatParam(this, "headL2", "L2 penalty on Stage 1's head weights", ParamValidators.gtEq(0));
    seed = new LongParam(this, "seed", "random seed");
    pretrainEpochs = new IntParam(this, "pretrainEpochs", "pre-training epochs at most", ParamValidators.gtEq(0));
    pretrainExperts = new IntParam(this, "pretrainExperts", "experts per class in pre-training",
        ParamValidators.gtEq(1));
    pretrainL2 = new FloatParam(this, "pretrainL2", "L2 penalty on the pre-training heads' weights",
        ParamValidators.gtEq(0));
    pretrainHoldout = new DoubleParam(this, "pretrainHoldout", "fraction of the videos (chosen by id) pre-training "
        + "and Stage 1 leave out to decide when they stop (0: exactly pretrainEpochs and headEpochs)",
        ParamValidators.inRange(0, 1, true, false));
    pretrainPatience = new IntParam(this, "pretrainPatience", "passes without a better held-out GAP (loss) before "
        + "stopping", ParamValidators.gtEq(1));
    pretrainClip = new DoubleParam(this, "pretrainClip", "pre-training scales each tensor's mean gradient down to "
        + "this L2 norm when it is longer (0: no clipping; unset: " + TrainConfig.DEFAULT_TRUNK_PRETRAIN_CLIP
        + " with hidden layers, 0 without, as vidar train)", ParamValidators.gtEq(0));
    pretrainDecay = new DoubleParam(this, "pretrainDecay", "pre-training's learning rate is multiplied by this "
        + "after each epoch that is not the best", ParamValidators.inRange(0, 1, false, true));
    batchSize = new IntParam(this, "batchSize", "pre-training and Stage 1 batch size (unset: "
        + TrainConfig.DEFAULT_BATCH_SIZE + " for heads on the features, " + TrainConfig.DEFAULT_TRUNK_BATCH_SIZE
        + " with hidden layers, as vidar train)", ParamValidators.gtEq(1));
    learningRate = new DoubleParam(this, "learningRate", "pre-training and Stage 1 Adam learning rate (unset: "
        + TrainConfig.DEFAULT_LEARNING_RATE + " for heads on the features, " + TrainConfig.DEFAULT_TRUNK_LEARNING_RATE
        + " with hidden layers, as vidar train)", ParamValidators.gt(0));
    rounds = new IntParam(this, "rounds", "alternating rounds of Stage 1 and Stage 2", ParamValidators.gtEq(0));
    headOptimizer = new Param<>(this, "headOptimizer", "how Stage 1 trains each class group's heads: adam or lbfgs",
        ParamValidators.inArray(List.of("adam", "lbfgs")));
    headEpochs = new IntParam(this, "headEpochs", "Stage 1 with adam: passes over the embeddings",
        ParamValidators.gtEq(1));
    lbfgsIterations = new IntParam(this, "lbfgsIterations", "Stage 1 L-BFGS iterations per class group",
        ParamValidators.gtEq(1));
    headGroups = new IntParam(this, "headGroups", "Stage 1 class groups (0: the default, a property of the model)",
        ParamValidators.gtEq(0));
    trunkSteps = new IntParam(this, "trunkSteps", "Stage 2 iRprop+ steps", ParamValidators.gtEq(0));
    trunkL2 = new FloatParam(this, "trunkL2", "L2 penalty on trunk weights", ParamValidators.gtEq(0));
    trunkFraction = new DoubleParam(this, "trunkFraction", "Stage 2: fraction of the videos each iRprop+ step uses",
        ParamValidators.inRange(0, 1, false, true));
    headStart = new Param<>(this, "headStart", "where Stage 1's heads start: grown (the model's, split into "
        + "experts), fresh (the paper's) or auto (grown with hidden layers, fresh without)",
        ParamValidators.inArray(List.of("auto", "grown", "fresh")));
    embeddingPrecision = new Param<>(this, "embeddingPrecision", "how Stage 1's embedding table is stored: float32, "
        + "float16 or bfloat16", ParamValidators.inArray(List.of("float32", "float16", "bfloat16")));
    pretrainBuffer = new IntParam(this, "pretrainBuffer", "videos in the shuffle buffer of streamed pre-training",
        ParamValidators.gtEq(1));
    workDir = new Param<>(this, "workDir", "where the videos are written as TFRecord shards and the stages keep "
        + "their intermediate data, deleted after fit: any file system the driver and every executor reach "
        + "(empty: a local temporary folder, enough for local mode)");

    setDefault(featuresCol, "features");
    setDefault(labelsCol, "labels");
    setDefault(idCol, "");
    setDefault(classesCol, VidarClassificationModel.DEFAULT_CLASSES_COL);
    setDefault(scoresCol, VidarClassificationModel.DEFAULT_SCORES_COL);
    setDefault(topK, YouTube8mEvaluator.DEFAULT_TOP_K);
    setDefault(chunkRows, TrainConfig.DEFAULT_CHUNK_ROWS);
    setDefault(numClasses, 0);
    setDefault(hiddenLayers, new int[0]);
    setDefault(contextGating, false);
    setDefault(experts, HeadConfig.DEFAULT_EXPERTS);
    setDefault(adaptiveExperts, false);
    setDefault(positivesPerExpert, HeadConfig.DEFAULT_POSITIVES_PER_EXPERT);
    setDefault(headL2, HeadConfig.DEFAULT_L2);
    setDefault(seed, TrainConfig.DEFAULT_SEED);
    setDefault(pretrainEpochs, TrainConfig.DEFAULT_PRETRAIN_EPOCHS);
    setDefault(pretrainExperts, TrainConfig.DEFAULT_PRETRAIN_EXPERTS);
    setDefault(pretrainL2, TrainConfig.DEFAULT_PRETRAIN_HEAD_L2);
    setDefault(pretrainHoldout, TrainConfig.DEFAULT_PRETRAIN_HOLDOUT);
    setDefault(pretrainPatience, TrainConfig.DEFAULT_PRETRAIN_PATIENCE);
    setDefault(pretrainDecay, TrainConfig.DEFAULT_PRETRAIN_DECAY);
    // Video level only: a DataFrame row is one video's features.
    setDefault(batchSize, TrainConfig.DEFAULT_BATCH_SIZE);
    setDefault(learningRate, TrainConfig.DEFAULT_LEARNING_RATE);
    setDefault(rounds, TrainConfig.DEFAULT_ROUNDS);
    setDefault(headOptimizer, TrainConfig.DEFAULT_HEAD_OPTIMIZER.name().toLowerCase(Locale.ROOT));
    setDefault(headEpochs, TrainConfig.DEFAULT_HEAD_EPOCHS);
    setDefault(lbfgsIterations, TrainConfig.DEFAULT_LBFGS_ITERATIONS);
    setDefault(headGroups, TrainConfig.AUTO_HEAD_GROUPS);
    setDefault(trunkSteps, TrainConfig.DEFAULT_TRUNK_STEPS);
    setDefault(trunkL2, TrainConfig.DEFAULT_TRUNK_L2);
    setDefault(trunkFraction, 1.0);
    setDefault(headStart, "auto");
    setDefault(embeddingPrecision, "float32");
    setDefault(pretrainBuffer, StreamingPretrainData.DEFAULT_BUFFER_VIDEOS);
    setDefault(workDir, "");
  }

  @Override
  public String uid() {
    return uid;
  }

  // Spark finds a stage's Params by its public methods that return one: one per Param.

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelsCol() {
    return labelsCol;
  }

  public Param<String> idCol() {
    return idCol;
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

  public IntParam numClasses() {
    return numClasses;
  }

  public IntArrayParam hiddenLayers() {
    return hiddenLayers;
  }

  public BooleanParam contextGating() {
    return contextGating;
  }

  public IntParam experts() {
    return experts;
  }

  public BooleanParam adaptiveExperts() {
    return adaptiveExperts;
  }

  public IntParam positivesPerExpert() {
    return positivesPerExpert;
  }

  public FloatParam headL2() {
    return headL2;
  }

  public LongParam seed() {
    return seed;
  }

  public IntParam pretrainEpochs() {
    return pretrainEpochs;
  }

  public IntParam pretrainExperts() {
    return pretrainExperts;
  }

  public FloatParam pretrainL2() {
    return pretrainL2;
  }

  public DoubleParam pretrainHoldout() {
    return pretrainHoldout;
  }

  public IntParam pretrainPatience() {
    return pretrainPatience;
  }

  public DoubleParam pretrainDecay() {
    return pretrainDecay;
  }

  public DoubleParam pretrainClip() {
    return pretrainClip;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public DoubleParam learningRate() {
    return learningRate;
  }

  public IntParam rounds() {
    return rounds;
  }

  public Param<String> headOptimizer() {
    return headOptimizer;
  }

  public IntParam headEpochs() {
    return headEpochs;
  }

  public IntParam lbfgsIterations() {
    return lbfgsIterations;
  }

  public IntParam headGroups() {
    return headGroups;
  }

  public IntParam trunkSteps() {
    return trunkSteps;
  }

  public FloatParam trunkL2() {
    return trunkL2;
  }

  public DoubleParam trunkFraction() {
    return trunkFraction;
  }

  public Param<String> headStart() {
    return headStart;
  }

  public Param<String> embeddingPrecision() {
    return embeddingPrecision;
  }

  public IntParam pretrainBuffer() {
    return pretrainBuffer;
  }

  public Param<String> workDir() {
    return workDir;
  }

  public String getFeaturesCol() {
    return getOrDefault(featuresCol);
  }

  public String getLabelsCol() {
    return getOrDefault(labelsCol);
  }

  public String getIdCol() {
    return getOrDefault(idCol);
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

  public int getNumClasses() {
    return (Integer) getOrDefault(numClasses);
  }

  public int[] getHiddenLayers() {
    return getOrDefault(hiddenLayers).clone();
  }

  public String getWorkDir() {
    return getOrDefault(workDir);
  }

  public int getPretrainBuffer() {
    return (Integer) getOrDefault(pretrainBuffer);
  }

  /** The trunk these Params describe. */
  TrunkConfig.VideoMlp trunkConfig() {
    List<Integer> widths = new ArrayList<>();
    for (int w : getHiddenLayers()) {
      widths.add(w);
    }
    return new TrunkConfig.VideoMlp(widths, (Boolean) getOrDefault(contextGating));
  }

  /**
   * Every training setting, as {@code vidar train} builds it from its options at the video level,
   * for a model with or without a trunk to train (where {@code auto} heads start).
   */
  TrainConfig trainConfig(boolean trainableTrunk) {
    HeadConfig heads = new HeadConfig((Boolean) getOrDefault(adaptiveExperts), (Integer) getOrDefault(experts),
        (Integer) getOrDefault(positivesPerExpert), (Float) getOrDefault(headL2));
    HeadConfig pretrainHeads = HeadConfig.fixed((Integer) getOrDefault(pretrainExperts),
        (Float) getOrDefault(pretrainL2));
    return new TrainConfig((Long) getOrDefault(seed), (Integer) getOrDefault(pretrainEpochs),
        isSet(batchSize) ? (Integer) getOrDefault(batchSize)
            : TrainConfig.batchSizeFor(org.vidar.data.FeatureSpec.Level.VIDEO, trainableTrunk), AdamConfig.of(isSet(learningRate) ? (Double) getOrDefault(learningRate)
            : TrainConfig.learningRateFor(org.vidar.data.FeatureSpec.Level.VIDEO, trainableTrunk)), pretrainHeads,
        (Integer) getOrDefault(rounds), heads, (Integer) getOrDefault(headGroups),
        TrainConfig.stage1Optimizer((Integer) getOrDefault(lbfgsIterations)), (Integer) getOrDefault(trunkSteps),
        TrainConfig.irpropFor(org.vidar.data.FeatureSpec.Level.VIDEO), (Float) getOrDefault(trunkL2),
        getChunkRows(), EmbeddingPrecision.parse(getOrDefault(embeddingPrecision)),
        (Double) getOrDefault(trunkFraction), TrainConfig.HeadStart.valueOf(getOrDefault(headStart).toUpperCase(Locale.ROOT))
            .continuesHeads(trainableTrunk), TrainConfig.DEFAULT_SAMPLE_FRAMES,
        (Double) getOrDefault(pretrainHoldout), (Integer) getOrDefault(pretrainPatience),
        (Double) getOrDefault(pretrainDecay), TrainConfig.DEFAULT_HEAD_DRAWS,
        TrainConfig.HeadOptimizer.valueOf(getOrDefault(headOptimizer).toUpperCase(Locale.ROOT)),
        (Integer) getOrDefault(headEpochs), isSet(pretrainClip) ? (Double) getOrDefault(pretrainClip)
            : TrainConfig.pretrainClipFor(org.vidar.data.FeatureSpec.Level.VIDEO, trainableTrunk));
  }
}
