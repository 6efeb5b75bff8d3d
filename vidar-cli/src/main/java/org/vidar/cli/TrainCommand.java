package org.vidar.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.Vocabulary;
import org.vidar.eval.EvalReport;
import org.vidar.math.KernelProvider;
import org.vidar.model.HeadConfig;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.apache.spark.sql.SparkSession;
import org.vidar.spark.SparkEngine;
import org.vidar.spark.SparkSessions;
import org.vidar.train.Checkpoints;
import org.vidar.train.EmbeddingPrecision;
import org.vidar.train.InMemoryPretrainData;
import org.vidar.train.LocalEngine;
import org.vidar.train.ModelEvaluation;
import org.vidar.train.StreamingPretrainData;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;
import org.vidar.train.VideoDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vidar train}: the paper's pipeline on the local engine. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Trains a model on TFRecord files with the paper's pipeline on this machine: joint pre-training "
        + "(mini-batch Adam, small mixture-of-experts heads), then rounds of Stage 1 (trunk frozen, fresh large "
        + "heads per class group, full-batch L-BFGS) and Stage 2 (heads frozen, trunk fine-tuned by full-batch "
        + "iRprop+). Prints the validation metrics after every stage and writes the model directory.",
        "Exit codes: 0 done, 1 failed, 3 done but bad records were skipped."})
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--train", required = true, arity = "1..*", paramLabel = "FILES", description = "Training TFRecords.")
  List<String> train;

  @Option(names = "--validate", arity = "1..*", paramLabel = "FILES", description = "Validation TFRecords, scored after every stage.")
  List<String> validate;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Model directory to write.")
  String out;

  @Mixin DataOptions data;

  @Option(names = "--hidden", split = ",", paramLabel = "WIDTH",
      description = "Video level: hidden layer widths of the trunk (default: none, the heads sit on the features).")
  List<Integer> hidden = new ArrayList<>();

  @Option(names = "--context-gating", description = "Video level: context gating after the last hidden layer.")
  boolean contextGating;

  @Option(names = "--frame-hidden", defaultValue = "1024", description = "Frame level: per-frame layer width (default: ${DEFAULT-VALUE}).")
  int frameHidden;

  @Option(names = "--video-hidden", defaultValue = "1024", description = "Frame level: video-level layer width (default: ${DEFAULT-VALUE}).")
  int videoHidden;

  @Option(names = "--pooling", defaultValue = "swap", description = "Frame level: swap, mean or max (default: ${DEFAULT-VALUE}).")
  String pooling;

  @Option(names = "--frame-context-gating", description = "Frame level: context gating on each frame.")
  boolean frameContextGating;

  @Option(names = "--batch-norm", description = "Frame level: batch normalization in the per-frame layer.")
  boolean batchNorm;

  @Option(names = "--sample-frames", defaultValue = "32", description = "Frame level: frames sampled per video, 0 = all (default: ${DEFAULT-VALUE}).")
  int sampleFrames;

  @Option(names = "--experts", defaultValue = "16", description = "Experts per class in Stage 1 (the cap when adaptive; default: ${DEFAULT-VALUE}).")
  int experts;

  @Option(names = "--adaptive-experts", description = "Experts grow with a class's positives up to --experts.")
  boolean adaptive;

  @Option(names = "--positives-per-expert", defaultValue = "100", description = "Adaptive: one expert per this many positives (default: ${DEFAULT-VALUE}).")
  int positivesPerExpert;

  @Option(names = "--head-l2", defaultValue = "1e-5", description = "L2 penalty on head weights (default: ${DEFAULT-VALUE}).")
  float headL2;

  @Option(names = "--trunk-l2", defaultValue = "1e-6", description = "L2 penalty on trunk weights (default: ${DEFAULT-VALUE}).")
  float trunkL2;

  @Option(names = "--pretrain-experts", defaultValue = "2", description = "Experts per class in pre-training (default: ${DEFAULT-VALUE}).")
  int pretrainExperts;

  @Option(names = "--pretrain-epochs", defaultValue = "5", description = "Pre-training epochs (default: ${DEFAULT-VALUE}).")
  int pretrainEpochs;

  @Option(names = "--batch-size", defaultValue = "256", description = "Pre-training batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "1e-3", description = "Pre-training Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--rounds", defaultValue = "2", description = "Alternating rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--lbfgs-iterations", defaultValue = "50", description = "Stage 1 L-BFGS iterations per class group (default: ${DEFAULT-VALUE}).")
  int lbfgsIterations;

  @Option(names = "--head-groups", description = "Stage 1 class groups (default: 4 per thread).")
  Integer headGroups;

  @Option(names = "--trunk-steps", defaultValue = "10", description = "Stage 2 iRprop+ steps (default: ${DEFAULT-VALUE}).")
  int trunkSteps;

  @Option(names = "--trunk-fraction", defaultValue = "1",
      description = "Stage 2: fraction of the videos each iRprop+ step uses, a fresh random subset per step "
          + "(1 = full batch, the default; below 1 approximates with very large batches).")
  double trunkFraction;

  @Option(names = "--continue-heads",
      description = "Stage 1 of rounds after the first starts from the previous round's heads instead of fresh ones.")
  boolean continueHeads;

  @Option(names = "--embedding-precision", defaultValue = "float32",
      description = "How Stage 1's embedding table is stored: float32, float16 or bfloat16 (16-bit halves it; "
          + "default: ${DEFAULT-VALUE}).")
  String embeddingPrecision;

  @Option(names = "--chunk-rows", defaultValue = "1024", description = "Videos per batch in full-batch passes (default: ${DEFAULT-VALUE}).")
  int chunkRows;

  @Option(names = "--engine", defaultValue = "spark",
      description = "spark (Apache Spark, local mode by default) or local (threads over data held in memory); "
          + "default: ${DEFAULT-VALUE}.")
  String engineName;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master: local[N], or spark://host:port for a cluster (default: local[*], or the master "
          + "spark-submit sets).")
  String master;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Spark: intermediate data (each round's embedding shards, deleted after its Stage 1); any file "
          + "system every executor reaches (default: a local temporary folder).")
  String workDir;

  @Option(names = "--pretrain-buffer", defaultValue = "20000",
      description = "Spark: videos in the shuffle buffer of streamed pre-training (default: ${DEFAULT-VALUE}).")
  int pretrainBuffer;

  @Option(names = "--checkpoints", paramLabel = "DIR",
      description = "Where the model after every stage is written, atomically (default: OUT/checkpoints).")
  String checkpointDir;

  @Option(names = "--resume", paramLabel = "DIR",
      description = "Continue from the last complete checkpoint in DIR (run with the same options as before); "
          + "later checkpoints go there too.")
  String resumeDir;

  @Option(names = "--threads", description = "Local engine: worker threads (default: the number of cores).")
  Integer threads;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"-k", "--top-k"}, defaultValue = "20", description = "k of GAP@k (default: ${DEFAULT-VALUE}).")
  int topK;

  @Override
  public Integer call() throws Exception {
    PrintStream o = System.out;
    master = SparkSessions.master(master);
    List<InputFile> trainFiles = DataPaths.resolve(train);
    Vocabulary vocab = data.loadVocabulary();
    int numClasses = data.numClasses(vocab, FeatureSpec.YT8M_2018_CLASSES);
    FeatureSpec spec = data.spec(trainFiles, numClasses);
    int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    TrunkConfig trunk = spec.level() == FeatureSpec.Level.VIDEO
        ? new TrunkConfig.VideoMlp(hidden, contextGating)
        : new TrunkConfig.Dbof(frameHidden, frameContextGating,
            TrunkConfig.Pooling.valueOf(pooling.toUpperCase(Locale.ROOT)), videoHidden, batchNorm, sampleFrames);
    if (!(trunkFraction > 0 && trunkFraction <= 1)) {
      throw new IllegalArgumentException("--trunk-fraction must be in (0, 1], got " + trunkFraction);
    }
    EmbeddingPrecision precision;
    try {
      precision = EmbeddingPrecision.parse(embeddingPrecision);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--embedding-precision: " + e.getMessage(), e);
    }
    HeadConfig heads = new HeadConfig(adaptive, experts, positivesPerExpert, headL2);
    ModelConfig modelConfig = new ModelConfig(spec, trunk, heads, numClasses);
    TrainConfig config = new TrainConfig(seed, pretrainEpochs, batchSize, AdamConfig.of(learningRate),
        HeadConfig.fixed(pretrainExperts, headL2), rounds, heads, headGroups != null ? headGroups : 4 * nThreads,
        LbfgsConfig.of(lbfgsIterations, 1e-5, 1e-7), trunkSteps, IRpropConfig.defaults(), trunkL2, chunkRows,
        precision, trunkFraction, continueHeads);

    o.printf(Locale.ROOT, "kernels: %s; engine: %s%n", KernelProvider.get().name(),
        engineName.equals("spark") ? "spark (" + master + ")" : "local (" + nThreads + " threads)");
    long t0 = System.nanoTime();
    List<InputFile> validateFiles = validate == null ? List.of() : DataPaths.resolve(validate);
    o.printf(Locale.ROOT, "%-16s %8s %10s %8s %8s %8s %8s %12s%n", "stage", "seconds", "train loss", "GAP@" + topK,
        "Hit@1", "PERR", "MAP", "parameters");
    long[] skipped = {0};
    Checkpoints checkpoints = new Checkpoints(resumeDir != null ? resumeDir
        : checkpointDir != null ? checkpointDir : DataPaths.join(out, "checkpoints"));
    VideoModel resumeFrom = null;
    int doneStage = -1;
    if (resumeDir == null && checkpoints.latest().isPresent()) {
      throw new IllegalArgumentException("checkpoints of an earlier run are in "
          + (checkpointDir != null ? checkpointDir : DataPaths.join(out, "checkpoints"))
          + ": continue it with --resume DIR, or delete them or choose --checkpoints elsewhere");
    }
    if (resumeDir != null) {
      Checkpoints.Checkpoint c = checkpoints.latest().orElseThrow(() -> new IllegalArgumentException(
          "--resume " + resumeDir + ": no checkpoint (stage-NNN) there"));
      resumeFrom = c.saved().model();
      doneStage = c.stage();
      o.printf(Locale.ROOT, "resuming after stage %d (%s) from %s%n", doneStage,
          c.saved().provenance().getOrDefault("stage", "?"), resumeDir);
    }
    Map<String, String> runInfo = Map.of("trainConfig", config.toString(), "seed", Long.toString(seed),
        "kernels", KernelProvider.get().name());
    List<String> classNames = vocab == null ? List.of() : vocab.names();
    Trainer.Listener listener = (stage, m, loss, seconds) -> {
      try {
        checkpoints.write(stage, m, classNames, runInfo);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("writing the checkpoint of " + stage, e);
      }
      EvalReport r = null;
      if (!validateFiles.isEmpty()) {
        try {
          ModelEvaluation.FileResult result = ModelEvaluation.evaluate(m, validateFiles, data.policy(), topK, chunkRows);
          skipped[0] += result.skipped().total();
          r = result.report();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      o.printf(Locale.ROOT, "%-16s %8.1f %10.5f %8s %8s %8s %8s %12d%n", stage, seconds, loss,
          fmt(r == null ? Double.NaN : r.gap()), fmt(r == null ? Double.NaN : r.hit1()),
          fmt(r == null ? Double.NaN : r.perr()), fmt(r == null ? Double.NaN : r.map()), m.parameterCount());
    };
    VideoModel model;
    long trainVideos;
    if (engineName.equals("spark")) {
      SparkSession session = SparkSessions.start(master, "vidar train");
      try (WorkDir work = WorkDir.of(workDir)) {
        SparkEngine engine = SparkEngine.of(session, train, spec, data.policy(), sampleFrames, seed, work.path());
        StreamingPretrainData pretrainData = new StreamingPretrainData(trainFiles, spec, data.policy(),
            sampleFrames, seed, pretrainBuffer);
        model = new Trainer(config).train(engine, pretrainData, modelConfig, listener, resumeFrom, doneStage);
        trainVideos = -1;
      } finally {
        session.stop();
      }
    } else if (engineName.equals("local")) {
      VideoDataset trainData = VideoDataset.load(trainFiles, spec, data.policy(), sampleFrames, seed);
      o.printf(Locale.ROOT, "loaded %d training videos in %.1f s%n", trainData.size(), (System.nanoTime() - t0) / 1e9);
      skipped[0] += trainData.skipped().total();
      if (trainData.skipped().total() > 0) {
        System.err.print(trainData.skipped().summary());
      }
      try (LocalEngine engine = new LocalEngine(trainData, nThreads)) {
        model = new Trainer(config).train(engine, new InMemoryPretrainData(trainData), modelConfig, listener,
            resumeFrom, doneStage);
      }
      trainVideos = trainData.size();
    } else {
      throw new IllegalArgumentException("--engine must be spark or local, got " + engineName);
    }
    long skippedTotal = skipped[0];
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("created", Instant.now().toString());
    provenance.put("trainer", "vidar train (" + engineName + (engineName.equals("spark") ? " " + master : "") + ")");
    provenance.put("trainConfig", config.toString());
    provenance.put("modelConfig", modelConfig.toString());
    provenance.put("trainData", String.join(",", train));
    if (trainVideos >= 0) {
      provenance.put("trainVideos", Long.toString(trainVideos));
    }
    provenance.put("seed", Long.toString(seed));
    provenance.put("kernels", KernelProvider.get().name());
    provenance.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    provenance.put("os.arch", System.getProperty("os.arch"));
    provenance.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    ModelFiles.save(out, model, vocab == null ? List.of() : vocab.names(), provenance);
    o.printf(Locale.ROOT, "model written to %s (%d parameters, %d experts) in %.1f s in all%n", out,
        model.parameterCount(), model.allocation().totalExperts(), (System.nanoTime() - t0) / 1e9);
    return skippedTotal > 0 ? ExitCodes.SKIPPED_RECORDS : ExitCodes.OK;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }
}
