package org.vidar.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.SkipReport;
import org.vidar.data.Vocabulary;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.StreamingPretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.PerClassCsv;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.model.moe.ClassGroups;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.spark.SparkEngine;
import org.vidar.spark.SparkTaskProgress;
import org.vidar.train.Checkpoints;
import org.vidar.train.HeadStage;
import org.vidar.train.LocalEngine;
import org.vidar.train.MetricsLog;
import org.vidar.train.Provenance;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;
import org.vidar.train.embedding.EmbeddingPrecision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vidar train}: the paper's pipeline, on Spark or on the local engine. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Trains a model on TFRecord files with the paper's pipeline: joint pre-training "
        + "(mini-batch Adam, small mixture-of-experts heads), then rounds of Stage 1 (trunk frozen, fresh large "
        + "heads per class group, mini-batch Adam or full-batch L-BFGS) and Stage 2 (heads frozen, trunk "
        + "fine-tuned by full-batch iRprop+). A model without a trunk (the default: heads on the features) skips "
        + "pre-training and runs one Stage 1. Prints the validation metrics after every stage and writes the "
        + "model directory.",
        "Exit codes: 0 done, 1 failed, 2 usage error (also: --resume of a checkpoint made with other options or "
            + "data), 3 done but bad records were skipped."})
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--train", required = true, arity = "1..*", paramLabel = "FILES", description = "Training TFRecords.")
  List<String> train;

  @Option(names = "--validate", arity = "1..*", paramLabel = "FILES", description = "Validation TFRecords, scored after every stage.")
  List<String> validate;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Model directory to write.")
  String out;

  @Mixin DataOptions data;

  @Mixin EngineOptions engine;

  @Spec CommandSpec spec;

  @Option(names = "--hidden", split = ",", paramLabel = "WIDTH",
      description = "Video level: hidden layer widths of the trunk (default: none, the heads sit on the features).")
  List<Integer> hidden = new ArrayList<>();

  @Option(names = "--context-gating", description = "Video level: context gating after the last hidden layer.")
  boolean contextGating;

  @Option(names = "--frame-hidden", defaultValue = "" + TrunkConfig.Dbof.DEFAULT_FRAME_HIDDEN, description = "Frame level: per-frame layer width (default: ${DEFAULT-VALUE}).")
  int frameHidden;

  @Option(names = "--video-hidden", defaultValue = "" + TrunkConfig.Dbof.DEFAULT_VIDEO_HIDDEN, description = "Frame level: video-level layer width (default: ${DEFAULT-VALUE}).")
  int videoHidden;

  @Option(names = "--pooling", defaultValue = "swap",
      description = "Frame level: swap, mean or max (default: ${DEFAULT-VALUE}).")
  TrunkConfig.Pooling pooling;

  @Option(names = "--frame-context-gating", description = "Frame level: context gating on each frame.")
  boolean frameContextGating;

  @Option(names = "--batch-norm", negatable = true, description = "Frame level: batch normalization of the input "
      + "frames and of each dense layer's product, as in the YouTube-8M starter code's DbofModel (default: on; "
      + "--no-batch-norm turns it off).")
  Boolean batchNorm;

  @Option(names = "--sample-frames", defaultValue = "" + TrainConfig.DEFAULT_SAMPLE_FRAMES, description = "Frame level: frames sampled per video, 0 = all (default: ${DEFAULT-VALUE}).")
  int sampleFrames;

  @Option(names = "--experts", defaultValue = "" + HeadConfig.DEFAULT_EXPERTS, description = "Experts per class in Stage 1 (the cap when adaptive; default: ${DEFAULT-VALUE}).")
  int experts;

  @Option(names = "--adaptive-experts", description = "Experts grow with a class's positives up to --experts.")
  boolean adaptive;

  @Option(names = "--positives-per-expert", defaultValue = "" + HeadConfig.DEFAULT_POSITIVES_PER_EXPERT, description = "Adaptive: one expert per this many positives (default: ${DEFAULT-VALUE}).")
  int positivesPerExpert;

  @Option(names = "--head-l2", defaultValue = "" + HeadConfig.DEFAULT_L2, description = "L2 penalty on Stage 1's head weights (default: ${DEFAULT-VALUE}).")
  float headL2;

  @Option(names = "--trunk-l2", defaultValue = "" + TrainConfig.DEFAULT_TRUNK_L2, description = "L2 penalty on trunk weights (default: ${DEFAULT-VALUE}).")
  float trunkL2;

  @Option(names = "--pretrain-experts", defaultValue = "" + TrainConfig.DEFAULT_PRETRAIN_EXPERTS, description = "Experts per class in pre-training (default: ${DEFAULT-VALUE}).")
  int pretrainExperts;

  @Option(names = "--pretrain-epochs", defaultValue = "" + TrainConfig.DEFAULT_PRETRAIN_EPOCHS, description = "Pre-training epochs at most (default: ${DEFAULT-VALUE}).")
  int pretrainEpochs;

  @Option(names = "--pretrain-l2", defaultValue = "" + TrainConfig.DEFAULT_PRETRAIN_HEAD_L2,
      description = "L2 penalty on the pre-training heads' weights (default: ${DEFAULT-VALUE}).")
  float pretrainL2;

  @Option(names = "--pretrain-holdout", defaultValue = "" + TrainConfig.DEFAULT_PRETRAIN_HOLDOUT,
      description = "Fraction of the training videos (chosen by id) that pre-training and Stage 1 leave out and "
          + "score after every pass, to stop when they stop improving and keep the best pass (0: exactly "
          + "--pretrain-epochs and --head-epochs; default: ${DEFAULT-VALUE}).")
  double pretrainHoldout;

  @Option(names = "--pretrain-patience", defaultValue = "" + TrainConfig.DEFAULT_PRETRAIN_PATIENCE,
      description = "Pre-training (and each Stage 1 class group) stops after this many passes without a better "
          + "held-out GAP (loss) (default: ${DEFAULT-VALUE}).")
  int pretrainPatience;

  @Option(names = "--pretrain-clip",
      description = "Pre-training scales each tensor's mean gradient down to this L2 norm when it is longer, before "
          + "Adam (0: no clipping; default: " + TrainConfig.DEFAULT_TRUNK_PRETRAIN_CLIP + " with --hidden layers, 0 "
          + "otherwise).")
  Double pretrainClip;

  @Option(names = "--pretrain-decay", defaultValue = "" + TrainConfig.DEFAULT_PRETRAIN_DECAY,
      description = "Pre-training multiplies its learning rate by this after every epoch whose held-out GAP is not "
          + "the best so far (1: a constant rate; default: ${DEFAULT-VALUE}).")
  double pretrainDecay;

  @Option(names = "--head-draws", defaultValue = "" + TrainConfig.DEFAULT_HEAD_DRAWS,
      description = "Frame level: Stage 1 trains its fresh heads on this many embeddings of each training video, each "
          + "of its own --sample-frames draw (default: ${DEFAULT-VALUE}).")
  int headDraws;

  @Option(names = "--batch-size", description = "Pre-training and Stage 1 batch size (default: "
      + TrainConfig.DEFAULT_BATCH_SIZE + " for heads on the features, " + TrainConfig.DEFAULT_TRUNK_BATCH_SIZE
      + " with --hidden layers, " + TrainConfig.DEFAULT_FRAME_BATCH_SIZE + " at the frame level).")
  Integer batchSize;

  @Option(names = "--learning-rate", description = "Pre-training and Stage 1 Adam learning rate (default: "
      + TrainConfig.DEFAULT_LEARNING_RATE + " for heads on the features, " + TrainConfig.DEFAULT_TRUNK_LEARNING_RATE
      + " with --hidden layers, " + TrainConfig.DEFAULT_FRAME_LEARNING_RATE + " at the frame level).")
  Double learningRate;

  @Option(names = "--rounds", defaultValue = "" + TrainConfig.DEFAULT_ROUNDS, description = "Alternating rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--head-optimizer", defaultValue = "adam",
      description = "How Stage 1 trains each class group's fresh heads: adam (mini-batches of --batch-size, "
          + "--learning-rate, for --head-epochs passes) or lbfgs (full batch, --lbfgs-iterations); default: "
          + "${DEFAULT-VALUE}.")
  TrainConfig.HeadOptimizer headOptimizer;

  @Option(names = "--head-epochs", defaultValue = "" + TrainConfig.DEFAULT_HEAD_EPOCHS,
      description = "Stage 1 with adam: passes over the embeddings, more when they would make fewer than "
          + HeadStage.MIN_ADAM_STEPS + " steps (default: ${DEFAULT-VALUE}).")
  int headEpochs;

  @Option(names = "--lbfgs-iterations", defaultValue = "" + TrainConfig.DEFAULT_LBFGS_ITERATIONS, description = "Stage 1 L-BFGS iterations per class group (default: ${DEFAULT-VALUE}).")
  int lbfgsIterations;

  @Option(names = "--head-groups", defaultValue = "" + TrainConfig.AUTO_HEAD_GROUPS,
      description = "Stage 1 class groups, the classes that stop together (Adam) or are stepped together "
          + "(L-BFGS); 0, the default, takes one per " + ClassGroups.DEFAULT_GATES_PER_GROUP
          + " gate columns of the heads, the same on every machine.")
  int headGroups;

  @Option(names = "--trunk-steps", defaultValue = "" + TrainConfig.DEFAULT_TRUNK_STEPS, description = "Stage 2 iRprop+ steps (default: ${DEFAULT-VALUE}).")
  int trunkSteps;

  @Option(names = "--trunk-fraction", defaultValue = "1",
      description = "Stage 2: fraction of the videos each iRprop+ step uses, a fresh random subset per step "
          + "(1 = full batch, the default; below 1 approximates with very large batches).")
  double trunkFraction;

  @Option(names = "--head-start", defaultValue = "auto",
      description = "Where Stage 1's heads start: grown (the model's heads, pre-training's or the last round's, "
          + "each class's experts split into --experts so the model scores as before; a class group no pass "
          + "improves on the held-out videos keeps them), fresh (a fresh initialization, the paper's) or auto "
          + "(grown with a trunk, fresh for heads on the features; default: ${DEFAULT-VALUE}).")
  TrainConfig.HeadStart headStart;

  @Option(names = "--embedding-precision", defaultValue = "float32",
      description = "How Stage 1's embedding table is stored: float32, float16 or bfloat16 (16-bit halves it; "
          + "default: ${DEFAULT-VALUE}).")
  String embeddingPrecision;

  @Option(names = "--pretrain-buffer", defaultValue = "" + StreamingPretrainData.DEFAULT_BUFFER_VIDEOS,
      description = "Spark: videos in the shuffle buffer of streamed pre-training (default: ${DEFAULT-VALUE}).")
  int pretrainBuffer;

  @Option(names = "--checkpoints", paramLabel = "DIR",
      description = "Where the model after every stage is written, atomically (default: OUT/checkpoints).")
  String checkpointDir;

  @Option(names = "--resume", paramLabel = "DIR",
      description = "Continue from the last complete checkpoint in DIR, with the options and data it was made with "
          + "(a checkpoint made with others is refused, naming them, exit 2); later checkpoints go there too.")
  String resumeDir;

  @Option(names = "--resume-anyway",
      description = "With --resume: continue even a checkpoint made with other options or data (they are named on "
          + "stderr and in model.json as resumedAnyway); the model then mixes both runs.")
  boolean resumeAnyway;

  @Option(names = "--threads", description = "Local engine: worker threads (default: the number of cores).")
  Integer threads;

  @Option(names = "--seed", defaultValue = "" + TrainConfig.DEFAULT_SEED, description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"-k", "--top-k"}, defaultValue = "" + YouTube8mEvaluator.DEFAULT_TOP_K, description = "k of GAP@k (default: ${DEFAULT-VALUE}).")
  int topK;

  @Override
  public Integer call() throws Exception {
    engine.check(topK);
    if (resumeAnyway && resumeDir == null) {
      throw new UsageException("--resume-anyway needs --resume DIR");
    }
    List<InputFile> trainFiles = DataPaths.resolve(train);
    List<InputFile> validateFiles = validate == null ? List.of() : DataPaths.resolve(validate);
    String checkpointsAt = resumeDir != null ? resumeDir
        : checkpointDir != null ? checkpointDir : DataPaths.join(out, "checkpoints");
    if (resumeDir != null && !DataPaths.exists(resumeDir)) {
      throw new IllegalArgumentException("--resume " + resumeDir + ": no such directory");
    }
    // Every place this run writes, checked before the data are read: a wrong one fails now, not at
    // the first checkpoint.
    List<String> named = new ArrayList<>(train);
    List<InputFile> inputs = new ArrayList<>(trainFiles);
    if (validate != null) {
      named.addAll(validate);
      inputs.addAll(validateFiles);
    }
    new Outputs(named, inputs).input(data.vocabulary)
        .folder("--out", out, java.util.regex.Pattern.compile(ModelFiles.FILES.pattern() + "|"
            + java.util.regex.Pattern.quote(PerClassCsv.FILE)))
        .folder(resumeDir != null ? "--resume" : checkpointDir != null ? "--checkpoints" : "--out", checkpointsAt,
            Checkpoints.NAMES)
        .folder("--work-dir", engine.spark() ? engine.workDir : null, null)
        .prepare(System.err);
    Vocabulary vocab = data.loadVocabulary();
    List<String> classNames = vocab == null ? List.of() : vocab.names();
    DataOptions.ClassCount classes = data.givenClasses(vocab);
    FeatureSpec open = data.spec(trainFiles, null);
    if (classes == null) {
      // Without a vocabulary, the classes are the labels the data use: YouTube-8M's 3,862 on data
      // whose labels stop at 99 would make a model 38 times too large, and as slow.
      List<InputFile> labelled = new java.util.ArrayList<>(trainFiles);
      labelled.addAll(validateFiles);
      classes = DataOptions.classesFromData(data.largestLabel(labelled, open), "the training and validation files");
    }
    FeatureSpec features = open.withNumClasses(classes.count(), classes.from());
    ModelConfig modelConfig = new ModelConfig(features, trunkConfig(features.level()));
    TrainConfig config = trainConfig(features.level(), modelConfig.hasTrainableTrunk());
    Checkpoints checkpoints = new Checkpoints(checkpointsAt);
    Optional<Checkpoints.Checkpoint> resume = checkpoints.startingPoint(resumeDir != null);
    Provenance provenance = Provenance.start("vidar train", engineInfo(), config,
        new Provenance.DataInfo(Provenance.FileInfo.of(trainFiles), Provenance.FileInfo.of(validateFiles),
            data.vocabulary, data.skipBad, -1, 0));
    List<String> overridden = resume.isPresent() ? checkResume(resume.get(), provenance, modelConfig, classNames)
        : List.of();
    StageTable table = new StageTable(System.out, checkpoints, classNames, provenance, validateFiles, data.policy(),
        topK, config.chunkRows(), features.level() == FeatureSpec.Level.FRAME);
    table.start(provenance.environment().kernels(), engineInfo(), resume);
    Trained trained;
    try (MetricsLog metrics = MetricsLog.start(DataPaths.join(out, MetricsLog.FILE),
        resume.map(Checkpoints.Checkpoint::stage).orElse(-1)); ProgressLine progress = ProgressLine.onStderr()) {
      table.recordTo(metrics);
      table.progressTo(progress);
      trained = engine.spark() ? onSpark(trainFiles, config, modelConfig, table, resume, progress)
          : locally(trainFiles, config, modelConfig, table, resume, progress);
    }
    long skipped = table.skipped() + trained.skipped();
    VideoModel model = table.best().orElse(trained.model());
    ObjectNode recorded = provenance.finish(table.videos(), skipped).toJson();
    recorded.put("stage", table.writtenStage());
    if (!overridden.isEmpty()) {
      overridden.forEach(recorded.putArray("resumedAnyway")::add);
    }
    ModelFiles.save(out, model, classNames, recorded);
    if (table.writtenReport().isPresent()) {
      PerClassCsv.write(DataPaths.join(out, PerClassCsv.FILE), List.of("model"), List.of(table.writtenReport().get()),
          classNames);
    }
    table.done(out, model);
    return skipped > 0 ? ExitCodes.SKIPPED_RECORDS : ExitCodes.OK;
  }

  /** Options whose record field differs from the option's name in kebab case. */
  private static final Map<String, String> RECORDED_OPTIONS = Map.ofEntries(
      Map.entry("train.adam.learningRate", "--learning-rate"),
      Map.entry("train.pretrainHeads.maxExperts", "--pretrain-experts"),
      Map.entry("train.pretrainHeads.l2", "--pretrain-l2"),
      Map.entry("train.heads.maxExperts", "--experts"),
      Map.entry("train.heads.adaptive", "--adaptive-experts"),
      Map.entry("train.heads.l2", "--head-l2"),
      Map.entry("train.lbfgs.maxIterations", "--lbfgs-iterations"),
      Map.entry("data.train", "--train"),
      Map.entry("data.validate", "--validate"),
      Map.entry("classNames", "--vocabulary"),
      Map.entry("model.features.features", "--features"),
      Map.entry("model.features.idKeys", "--id-key"),
      Map.entry("model.features.numClasses", "--classes"));

  /**
   * Refuses to continue a checkpoint made with other options, data or model shape, naming each
   * difference as {@code option: checkpoint's value vs now}; under {@code --resume-anyway} says
   * them on stderr and returns them, for the model's provenance.
   */
  private List<String> checkResume(Checkpoints.Checkpoint checkpoint, Provenance provenance, ModelConfig modelConfig,
      List<String> classNames) {
    List<String> differences = new ArrayList<>();
    for (org.vidar.train.RunDifference d : org.vidar.train.RunDifference.between(checkpoint, provenance, modelConfig,
        classNames)) {
      String field = d.field();
      // Options map onto train.X, train.heads.X, model.features.X and model.trunk.X; other fields
      // (the optimizers' constants, the pre-training heads' fixed settings) are named by their path.
      String parent = field.substring(0, Math.max(0, field.lastIndexOf('.')));
      String option = RECORDED_OPTIONS.containsKey(field) ? RECORDED_OPTIONS.get(field)
          : List.of("train", "train.heads", "model.features", "model.trunk").contains(parent)
              ? OptionNames.option(spec, field.substring(field.lastIndexOf('.') + 1), Map.of()) : null;
      differences.add((option != null ? option : field) + ": " + d.checkpoint() + " in the checkpoint, " + d.now()
          + " now");
    }
    if (differences.isEmpty()) {
      return differences;
    }
    String where = String.format(java.util.Locale.ROOT, "the checkpoint %s was made with other options or data:%n  %s",
        DataPaths.join(resumeDir, String.format(java.util.Locale.ROOT, "stage-%03d", checkpoint.stage())),
        String.join(String.format("%n  "), differences));
    if (!resumeAnyway) {
      throw new UsageException("--resume: " + where + String.format("%ncontinue it with the options and data it was "
          + "made with, or give --resume-anyway to continue it with these"));
    }
    System.err.println("--resume-anyway: continuing although " + where);
    return differences;
  }

  /** The model a run ended with and the training records it skipped while loading. */
  private record Trained(VideoModel model, long skipped) {}

  /** Every training option, each named as its option in an error. */
  private TrainConfig trainConfig(FeatureSpec.Level level, boolean trainableTrunk) {
    boolean continueHeads = headStart.continuesHeads(trainableTrunk);
    int batchSize = this.batchSize != null ? this.batchSize : TrainConfig.batchSizeFor(level, trainableTrunk);
    double learningRate = this.learningRate != null ? this.learningRate
        : TrainConfig.learningRateFor(level, trainableTrunk);
    EmbeddingPrecision precision = embeddingPrecision();
    HeadConfig heads = OptionNames.build(spec, () -> new HeadConfig(adaptive, experts, positivesPerExpert, headL2),
        Map.of("maxExperts", "--experts", "l2", "--head-l2"));
    HeadConfig pretrainHeads = OptionNames.build(spec, () -> HeadConfig.fixed(pretrainExperts, pretrainL2),
        Map.of("maxExperts", "--pretrain-experts", "l2", "--pretrain-l2"));
    AdamConfig adam = OptionNames.build(spec, () -> AdamConfig.of(learningRate), Map.of());
    LbfgsConfig lbfgs = OptionNames.build(spec, () -> TrainConfig.stage1Optimizer(lbfgsIterations),
        Map.of("maxIterations", "--lbfgs-iterations"));
    return OptionNames.build(spec, () -> new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds,
        heads, headGroups, lbfgs, trunkSteps, TrainConfig.irpropFor(level), trunkL2, engine.chunkRows, precision,
        trunkFraction, continueHeads, sampleFrames, pretrainHoldout, pretrainPatience, pretrainDecay, headDraws, headOptimizer,
        headEpochs, pretrainClip != null ? pretrainClip : TrainConfig.pretrainClipFor(level, trainableTrunk)),
        Map.of());
  }

  private EmbeddingPrecision embeddingPrecision() {
    try {
      return EmbeddingPrecision.parse(embeddingPrecision);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--embedding-precision: " + e.getMessage(), e);
    }
  }

  private TrunkConfig trunkConfig(FeatureSpec.Level level) {
    if (level == FeatureSpec.Level.VIDEO) {
      return new TrunkConfig.VideoMlp(hidden, contextGating);
    }
    return new TrunkConfig.Dbof(frameHidden, frameContextGating,
        pooling, videoHidden, batchNorm == null || batchNorm);
  }

  private Provenance.EngineInfo engineInfo() {
    return engine.spark() ? new Provenance.EngineInfo("spark", engine.sparkMaster(), 0, pretrainBuffer)
        : new Provenance.EngineInfo("local", null, localThreads(), 0);
  }

  private int localThreads() {
    return threads != null ? threads : Runtime.getRuntime().availableProcessors();
  }

  /** The stages on Spark, pre-training streamed through this process. */
  private Trained onSpark(List<InputFile> trainFiles, TrainConfig config, ModelConfig modelConfig, StageTable table,
      Optional<Checkpoints.Checkpoint> resume, ProgressLine progress) throws IOException {
    // The session stops before the working directory goes: its tasks may read it until then.
    try (WorkDir work = WorkDir.of(engine.workDir)) {
      SparkSession session = engine.startSpark("vidar train");
      try {
        table.progressTo(SparkTaskProgress.register(session, progress));
        SparkEngine sparkEngine = SparkEngine.of(session, train, modelConfig.features(), data.policy(),
            config.frameSampling(), work.path());
        StreamingPretrainData pretrainData = new StreamingPretrainData(trainFiles, modelConfig.features(),
            data.policy(), config.frameSampling(), pretrainBuffer);
        VideoModel model = new Trainer(config).train(sparkEngine, pretrainData, modelConfig, table,
            resume.map(c -> c.saved().model()).orElse(null), resume.map(Checkpoints.Checkpoint::stage).orElse(-1));
        // Pre-training (this process) and the stages (the executors) read the same files: the same
        // bad records, reported once, as the local engine reports them.
        SkipReport streamed = pretrainData.skipped();
        SkipReport report = sparkEngine.skipReport().total() > streamed.total() ? sparkEngine.skipReport() : streamed;
        long skipped = report.total();
        if (skipped > 0) {
          System.err.print(report.summary());
        }
        return new Trained(model, skipped);
      } finally {
        table.progressTo(progress); // the session's wrapper names jobs of a context about to stop
        session.stop();
      }
    }
  }


  /** The stages on threads of this process, over the training videos held in memory. */
  private Trained locally(List<InputFile> trainFiles, TrainConfig config, ModelConfig modelConfig, StageTable table,
      Optional<Checkpoints.Checkpoint> resume, ProgressLine progress) throws IOException {
    // Every frame is held (a byte a value), so that pre-training draws other frames every epoch;
    // the stages see the fixed sample a file read with the run's sampling gives, as on Spark.
    VideoDataset trainData = VideoDataset.load(trainFiles, modelConfig.features(), data.policy(),
        org.vidar.data.batch.FrameSampling.ALL, org.vidar.data.batch.MemoryBudget.ofRuntime(), progress)
        .sampled(config.frameSampling());
    table.loaded(trainData, trainData.skipped());
    try (LocalEngine local = new LocalEngine(trainData, localThreads(), localThreads(), progress)) {
      VideoModel model = new Trainer(config).train(local, new InMemoryPretrainData(trainData), modelConfig, table,
          resume.map(c -> c.saved().model()).orElse(null), resume.map(Checkpoints.Checkpoint::stage).orElse(-1));
      return new Trained(model, trainData.skipped().total());
    }
  }
}
