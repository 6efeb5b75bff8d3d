package org.vidar.bench;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.OneVsRest;
import org.apache.spark.ml.classification.OneVsRestModel;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.StreamingPretrainData;
import org.vidar.train.LocalEngine;
import org.vidar.data.batch.VideoDataset;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.eval.EvalReport;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.inference.StreamingScorer;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.HeadConfig;
import org.vidar.spark.SparkEngine;
import org.vidar.spark.SparkSessions;
import org.vidar.train.StageResult;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;

/**
 * Vidar against the peer a Spark user would pick, on the same {@code vidar synth} data, the same
 * Spark session and the same machine, in one run (see {@code shared/specs/baselines.md}):
 *
 * <ul>
 *   <li><b>Vidar</b>: the whole pipeline on the Spark engine with the CLI's defaults ({@link
 *       TrainConfig#defaults()}, no trunk, {@link HeadConfig#DEFAULT_EXPERTS} experts a class:
 *       pre-training is skipped, Stage 1 trains the heads by Adam), then the validate split scored.
 *   <li><b>MLlib binary relevance</b>: one binomial {@code LogisticRegression} per class on the
 *       cached, L2-normalised 1152-d features, scored with each model's {@code probability[1]}.
 *   <li><b>MLlib multinomial</b>: one row per (video, label), one multinomial
 *       {@code LogisticRegression}, scored with its softmax probabilities.
 *   <li><b>MLlib OneVsRest(LogisticRegression)</b> (opt in, {@code baselines=...,ovr}): the
 *       single-label reduction on the same exploded rows, which counts a video as a negative for its
 *       own other labels.
 * </ul>
 *
 * <p>MLlib's load (read, normalise, cache), train and predict times are reported apart; Vidar has
 * no load step (its engine reads the files in every pass, and that reading is in its train time).
 * Scores are computed from the fitted coefficients in one Spark pass over the validate split (for a
 * binomial model, σ(w·x + b) is exactly its {@code probability[1]}; for the multinomial one, the
 * softmax).
 *
 * <p><b>Sampled binary relevance.</b> Binary relevance fits one class after another, linear in the
 * classes (about 24 s a class at 50,000 training videos, two hours for 300 classes). With {@code
 * sampleClasses=N} it fits only N classes spread evenly over the indices (the middle class of each
 * of N equal runs, {@code ⌊(2i+1)·classes/(2N)⌋}), times each fit, and reports its train time
 * <em>extrapolated</em> to all classes: the mean seconds a class × {@code classes} (which counts the
 * first fit's warm-up classes/N times, so the estimate counting it once, first + (classes-1) × the
 * others' mean, is printed beside it). Its quality is then measured on the N sampled classes only
 * (their scores, the labels among them, re-indexed 0..N-1, one evaluator of N classes; a video with
 * none of them still counts, as the evaluator counts a video without labels, which lowers Hit@1 and
 * PERR), and Vidar's model is scored the same way on the same classes, in a row of its own beside
 * its all-class row. The summary at the end compares the two on those classes: GAP@20, train times
 * (training only, not load or predict) and their ratio.
 *
 * <p><b>Time to MLlib's GAP.</b> Spark runs Stage 1's class groups as tasks in executors, where
 * nothing sees their passes; so with {@code curve=true} (the default) the same training runs again
 * on the local engine (this JVM, as many threads as cores, the Spark session idle) and the model
 * after each Stage 1 pass is scored, off the clock, on the classes compared. The summary then gives
 * the training time Vidar took to reach MLlib's GAP on that curve against MLlib's whole training
 * time (MLlib's GAP exists only once every class is fitted).
 *
 * <p>Run with one BLAS thread per task, as Spark sets it on a cluster ({@code OMP_NUM_THREADS} =
 * {@code spark.task.cpus}, SPARK-41188) but not in local mode, where two tasks would otherwise share
 * OpenBLAS's threads: {@code OPENBLAS_NUM_THREADS=1 java -Xmx16g $(cat vidar-cli/target/jvm-options.txt) -cp
 * vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt) org.vidar.bench.MllibBaselineBench
 * [videos=62500] [classes=300] [dir=work/quality] [master=local[2]] [baselines=vidar,binary,multinomial]
 * [sampleClasses=0] [regParam=1e-4] [maxIter=20] [multinomialIter=100] [hidden=0] [gating=false]
 * [experts=8] [epochs=100] [rounds=2] [groups=0] [steps=10] [curve=true]}: 62,500 videos give 50,000 training videos.
 * Rows come in the order of {@code baselines}. The Vidar options default to the CLI's ({@code hidden}
 * is one hidden layer's width, 0 for none; {@code epochs} caps pre-training, {@code groups=0} is the
 * default class group count, {@code steps} are Stage 2's). For the "100x sooner" comparison:
 * {@code baselines=vidar,binary sampleClasses=10}.
 */
public final class MllibBaselineBench {
  private static final int TOP_K = 20;

  private MllibBaselineBench() {}

  /** One row of the table: NaN load when the model has no load step of its own. */
  private record Result(String name, double load, double train, double predict, EvalReport report) {
    String row() {
      return String.format(Locale.ROOT, "%-42s %8s %8.1f %8.1f %8.4f %8.4f %8.4f %8.4f", name,
          Double.isNaN(load) ? "-" : String.format(Locale.ROOT, "%.1f", load), train, predict, report.gap(),
          report.hit1(), report.perr(), report.map());
    }
  }

  /**
   * Vidar's model on all classes, and on the sampled ones (null without a sample), and the same
   * training run again on the local engine, scored after each Stage 1 pass on the classes compared
   * (empty unless asked for with {@code curve=true}).
   */
  private record VidarResult(Result all, Result sampled, List<TimeToQualityBench.Point> curve) {}

  /**
   * Binary relevance's row, with its mean fit time, the fits it made and, when sampled, the
   * extrapolation that counts the first fit's warm-up once ({@code first + (C-1) × mean of the
   * others}; NaN below two fits).
   */
  private record BinaryResult(Result result, double secondsPerClass, int fitted, double warmOnce) {}

  public static void main(String[] args) throws Exception {
    long videos = Long.parseLong(BenchArgs.get(args, "videos", "62500"));
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "300"));
    String dir = BenchArgs.get(args, "dir", "work/quality");
    String master = BenchArgs.get(args, "master", "local[2]");
    List<String> baselines = Arrays.asList(BenchArgs.get(args, "baselines", "vidar,binary,multinomial").split(","));
    int sampleClasses = Integer.parseInt(BenchArgs.get(args, "sampleClasses", "0"));
    double regParam = Double.parseDouble(BenchArgs.get(args, "regParam", "1e-4"));
    int maxIter = Integer.parseInt(BenchArgs.get(args, "maxIter", "20"));
    int multinomialIter = Integer.parseInt(BenchArgs.get(args, "multinomialIter", "100"));
    if (sampleClasses < 0 || sampleClasses > classes) {
      throw new IllegalArgumentException("sampleClasses must be in [0, classes = " + classes + "], got "
          + sampleClasses);
    }
    ClassSample sample = sampleClasses == 0 ? null : ClassSample.spread(classes, sampleClasses);
    BenchData.qualitySplits(dir, videos, classes, args);
    FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
    List<String> trainFiles = names(DataPaths.resolve(List.of(dir + "/video/train*")));
    List<String> validateFiles = names(DataPaths.resolve(List.of(dir + "/video/validate*")));
    System.out.printf(Locale.ROOT, "kernels %s, master %s, OPENBLAS_NUM_THREADS=%s, %d classes, %d training and %d"
        + " validation files%n", KernelProvider.get().name(), master, System.getenv("OPENBLAS_NUM_THREADS"), classes,
        trainFiles.size(), validateFiles.size());
    if (sample != null) {
      System.out.printf(Locale.ROOT, "sampled classes: %s%n", sample.describe());
    }

    List<Result> rows = new ArrayList<>();
    VidarResult vidar = null;
    BinaryResult binary = null;
    SparkSession session = SparkSessions.start(master, "vidar vs mllib");
    try {
      // In the order given; the MLlib rows share one read of the data, cached.
      Dataset<Row> train = null;
      Dataset<Row> validate = null;
      double load = 0;
      for (String b : baselines) {
        if (b.equals("vidar")) {
          vidar = vidar(args, session, spec, trainFiles, validateFiles, dir, sample);
          rows.add(vidar.all());
          if (vidar.sampled() != null) {
            rows.add(vidar.sampled());
          }
          continue;
        }
        if (train == null) {
          long t0 = System.nanoTime();
          train = load(session, trainFiles, spec).cache();
          validate = load(session, validateFiles, spec).cache();
          long n = train.count();
          long m = validate.count();
          load = seconds(t0);
          System.out.printf(Locale.ROOT, "mllib: %d training and %d validation videos read, normalised and cached"
              + " in %.1f s%n", n, m, load);
        }
        switch (b) {
          case "binary" -> {
            binary = binaryRelevance(train, validate, classes, sample, regParam, maxIter, load);
            rows.add(binary.result());
          }
          case "multinomial" -> rows.add(multinomial(train, validate, classes, regParam, multinomialIter, load));
          case "ovr" -> rows.add(oneVsRest(train, validate, classes, regParam, maxIter, load));
          default -> throw new IllegalArgumentException("baselines: unknown " + b
              + " (vidar, binary, multinomial or ovr)");
        }
      }
    } finally {
      session.stop();
    }
    System.out.printf(Locale.ROOT, "%n%-42s %8s %8s %8s %8s %8s %8s %8s%n", "model", "load s", "train s",
        "predict s", "GAP@20", "Hit@1", "PERR", "MAP");
    rows.forEach(r -> System.out.println(r.row()));
    if (binary != null && sample != null) {
      System.out.printf(Locale.ROOT, "* train s extrapolated from %d of %d classes: %.2f s a class (mean of %d fits)"
          + " x %d; predict s and the metrics are on the %d sampled classes only%n", sample.size(), classes,
          binary.secondsPerClass(), binary.fitted(), classes, sample.size());
    }
    if (vidar != null && binary != null) {
      summary(vidar, binary, sample, classes);
    }
  }

  /**
   * Binary relevance against Vidar on the same classes: GAP, training times (the train columns,
   * never load or predict) and their ratio.
   */
  private static void summary(VidarResult vidar, BinaryResult binary, ClassSample sample, int classes) {
    Result v = sample == null ? vidar.all() : vidar.sampled();
    Result m = binary.result();
    System.out.printf(Locale.ROOT, "%nsummary: GAP@20 on %s: MLlib binary relevance %.4f, Vidar %.4f; Vidar's GAP"
        + " >= MLlib's: %s%n", sample == null ? "all " + classes + " classes"
        : "the " + sample.size() + " sampled classes of " + classes, m.report().gap(), v.report().gap(),
        v.report().gap() >= m.report().gap() ? "yes" : "no");
    System.out.printf(Locale.ROOT, "summary: training time (train only: no load, no predict): Vidar %.1f s, MLlib"
        + " binary relevance %.1f s%s; MLlib / Vidar = %.1fx%n", v.train(), m.train(), sample == null
        ? " (all classes fitted)" : String.format(Locale.ROOT, " (extrapolated: %.2f s a class, mean of %d fits, x %d"
            + " classes)", binary.secondsPerClass(), binary.fitted(), classes), m.train() / v.train());
    if (sample != null && !Double.isNaN(binary.warmOnce())) {
      System.out.printf(Locale.ROOT, "summary: counting the first fit's warm-up once: MLlib binary relevance %.1f s,"
          + " MLlib / Vidar = %.1fx%n", binary.warmOnce(), binary.warmOnce() / v.train());
    }
    if (!vidar.curve().isEmpty()) {
      double to = TimeToQualityBench.timeTo(vidar.curve(), m.report().gap());
      double mllib = Double.isNaN(binary.warmOnce()) ? m.train() : Math.min(m.train(), binary.warmOnce());
      System.out.printf(Locale.ROOT, "summary: time to MLlib's GAP %.4f: Vidar %s (local engine, the same training "
          + "scored after each Stage 1 pass), MLlib binary relevance %.1f s%s%n", m.report().gap(),
          Double.isNaN(to) ? "never" : String.format(Locale.ROOT, "%.1f s", to), mllib,
          Double.isNaN(to) ? "" : String.format(Locale.ROOT, "; MLlib / Vidar = %.0fx", mllib / to));
    }
  }

  private static VidarResult vidar(String[] args, SparkSession session, FeatureSpec spec, List<String> trainFiles,
      List<String> validateFiles, String dir, ClassSample sample) throws Exception {
    TrainConfig d = TrainConfig.defaults();
    int hidden = Integer.parseInt(BenchArgs.get(args, "hidden", "0"));
    boolean gating = Boolean.parseBoolean(BenchArgs.get(args, "gating", "false"));
    int experts = Integer.parseInt(BenchArgs.get(args, "experts", "" + HeadConfig.DEFAULT_EXPERTS));
    int epochs = Integer.parseInt(BenchArgs.get(args, "epochs", "" + d.pretrainEpochs()));
    int rounds = Integer.parseInt(BenchArgs.get(args, "rounds", "" + d.rounds()));
    int groups = Integer.parseInt(BenchArgs.get(args, "groups", "" + d.headGroups()));
    int steps = Integer.parseInt(BenchArgs.get(args, "steps", "" + d.trunkSteps()));
    ModelConfig mc = new ModelConfig(spec, new TrunkConfig.VideoMlp(hidden == 0 ? List.of() : List.of(hidden),
        gating && hidden > 0));
    TrainConfig config = new TrainConfig(d.seed(), epochs, d.batchSize(), d.adam(), d.pretrainHeads(), rounds,
        HeadConfig.fixed(experts, d.heads().l2()), groups, d.lbfgs(), steps, d.irprop(), d.trunkL2(), d.chunkRows(),
        d.embeddingPrecision(), d.trunkFraction(), TrainConfig.HeadStart.AUTO.continuesHeads(mc.hasTrainableTrunk()),
        d.sampleFrames(), d.pretrainHoldout(),
        d.pretrainPatience(), TrainConfig.DEFAULT_PRETRAIN_DECAY, TrainConfig.DEFAULT_HEAD_DRAWS, d.headOptimizer(), d.headEpochs(),
        TrainConfig.pretrainClipFor(spec.level(), mc.hasTrainableTrunk()));
    long t0 = System.nanoTime();
    SparkEngine engine = SparkEngine.of(session, trainFiles, spec, BadRecordPolicy.FAIL, config.frameSampling(),
        Files.createDirectories(Paths.get(dir, "work")).toString());
    StreamingPretrainData pretrain = new StreamingPretrainData(DataPaths.resolve(trainFiles), spec,
        BadRecordPolicy.FAIL, config.frameSampling(), StreamingPretrainData.DEFAULT_BUFFER_VIDEOS);
    VideoModel model = new Trainer(config).train(engine, pretrain, mc, new Trainer.Listener() {
      @Override
      public void stageDone(String stage, StageResult result, double s) {
        System.out.printf(Locale.ROOT, "vidar: %-16s %7.1f s%n", stage, s);
      }

      @Override
      public void pretrainSkipped() {
        System.out.println("vidar: pretrain skipped (no trunk)");
      }
    });
    double train = seconds(t0);
    // ModelEvaluation's per-video loop, with a second evaluator for the sampled classes: one pass.
    long t1 = System.nanoTime();
    YouTube8mEvaluator all = new YouTube8mEvaluator(model.config().numClasses(), TOP_K);
    YouTube8mEvaluator sampled = sample == null ? null : sample.evaluator();
    StreamingScorer.score(model, DataPaths.resolve(validateFiles), BadRecordPolicy.FAIL, config.chunkRows(),
        (id, labels, probs, offset) -> {
          all.addScores(probs, offset, labels);
          if (sampled != null) {
            sample.add(sampled, probs, offset, labels);
          }
        });
    double predict = seconds(t1);
    String shape = hidden == 0 ? "no trunk" : hidden + (gating ? "+CG" : "") + " trunk";
    Result r = new Result(String.format(Locale.ROOT, "vidar (%s, %d experts, defaults)", shape, experts), Double.NaN,
        train, predict, all.report());
    List<TimeToQualityBench.Point> curve = Boolean.parseBoolean(BenchArgs.get(args, "curve", "true"))
        ? localCurve(config, mc, spec, trainFiles, validateFiles, sample) : List.of();
    return new VidarResult(r, sampled == null ? null : new Result(String.format(Locale.ROOT,
        "vidar, same model, on %d sampled classes", sample.size()), Double.NaN, train, predict, sampled.report()),
        curve);
  }

  /**
   * The same training on the local engine (this JVM, as many threads as cores, Spark idle), with
   * the model after each Stage 1 pass scored on the sampled classes (all classes without a sample)
   * off the clock: when Vidar reaches a GAP, not only where it ends.
   */
  private static List<TimeToQualityBench.Point> localCurve(TrainConfig config, ModelConfig mc, FeatureSpec spec,
      List<String> trainFiles, List<String> validateFiles, ClassSample sample) throws Exception {
    List<InputFile> validate = DataPaths.resolve(validateFiles);
    TrainingClock clock = new TrainingClock(m -> {
      YouTube8mEvaluator e = sample == null ? new YouTube8mEvaluator(m.config().numClasses(), TOP_K) : sample.evaluator();
      try {
        StreamingScorer.score(m, validate, BadRecordPolicy.FAIL, config.chunkRows(), (id, labels, probs, offset) -> {
          if (sample == null) {
            e.addScores(probs, offset, labels);
          } else {
            sample.add(e, probs, offset, labels);
          }
        });
      } catch (java.io.IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
      return e.report().gap();
    });
    VideoDataset data = VideoDataset.load(DataPaths.resolve(trainFiles), spec, BadRecordPolicy.FAIL,
        config.frameSampling());
    System.out.printf(Locale.ROOT, "vidar, local engine: %d training videos loaded in %.1f s (not counted); Stage 1"
        + " scored pass by pass on %s%n", data.size(), clock.seconds(), sample == null ? "all classes"
        : "the sampled classes");
    clock.exclude((long) (clock.seconds() * 1e9));
    StageOnePasses passes = new StageOnePasses(clock);
    List<TimeToQualityBench.Point> curve = new ArrayList<>();
    try (LocalEngine engine = new LocalEngine(data, Runtime.getRuntime().availableProcessors())) {
      new Trainer(config).train(engine, new InMemoryPretrainData(data), mc, passes.listener(curve));
    }
    curve.sort(java.util.Comparator.comparingDouble(TimeToQualityBench.Point::seconds));
    return curve;
  }

  /**
   * One binomial logistic regression per class ("label = class present"), fitted one after another:
   * every class, or only the sampled ones, each fit timed.
   */
  private static BinaryResult binaryRelevance(Dataset<Row> train, Dataset<Row> validate, int classes,
      ClassSample sample, double reg, int maxIter, double load) {
    int[] fit = sample == null ? IntStream.range(0, classes).toArray() : sample.classes();
    double[][] w = new double[fit.length][];
    double[] b = new double[fit.length];
    double fitting = 0;
    double first = 0;
    for (int i = 0; i < fit.length; i++) {
      int k = fit[i];
      long t0 = System.nanoTime();
      Dataset<Row> d = train.withColumn("label", array_contains(col("labels"), k).cast("double"));
      LogisticRegressionModel model = new LogisticRegression().setMaxIter(maxIter).setRegParam(reg)
          .setFeaturesCol("features").setLabelCol("label").fit(d);
      w[i] = model.coefficients().toArray();
      b[i] = model.intercept();
      double s = seconds(t0);
      fitting += s;
      if (i == 0) {
        first = s;
      }
      if (sample != null) {
        System.out.printf(Locale.ROOT, "mllib binary relevance: class %d (%d/%d sampled) fitted in %.1f s%n", k,
            i + 1, fit.length, s);
      } else if ((i + 1) % 10 == 0) {
        System.out.printf(Locale.ROOT, "mllib binary relevance: %d/%d classes in %.0f s (%.1f s a class)%n", i + 1,
            classes, fitting, fitting / (i + 1));
      }
    }
    double perClass = fitting / fit.length;
    long t1 = System.nanoTime();
    EvalReport r = score(validate, w, b, sample, false);
    double predict = seconds(t1);
    if (sample == null) {
      return new BinaryResult(new Result(String.format(Locale.ROOT, "mllib binary relevance (%d LR)", classes), load,
          fitting, predict, r), perClass, fit.length, Double.NaN);
    }
    // The first fit also warms up (JIT, Spark's first jobs of the kind): mean × C repeats that C/N
    // times, so the estimate that counts it once is given too.
    double warmOnce = fit.length < 2 ? Double.NaN : first + (classes - 1) * (fitting - first) / (fit.length - 1);
    System.out.printf(Locale.ROOT, "mllib binary relevance: %d of %d classes fitted, %.2f s a class on average:"
        + " %.1f s extrapolated to all %d classes (%.1f s counting the first fit's %.1f s once)%n", fit.length,
        classes, perClass, perClass * classes, classes, warmOnce, first);
    return new BinaryResult(new Result(String.format(Locale.ROOT, "mllib binary relevance, %d sampled classes*",
        fit.length), load, perClass * classes, predict, r), perClass, fit.length, warmOnce);
  }

  /** One multinomial logistic regression over one row per (video, label), softmax scores. */
  private static Result multinomial(Dataset<Row> train, Dataset<Row> validate, int classes, double reg, int maxIter,
      double load) {
    long t0 = System.nanoTime();
    LogisticRegressionModel model = new LogisticRegression().setFamily("multinomial").setMaxIter(maxIter)
        .setRegParam(reg).setFeaturesCol("features").setLabelCol("label").fit(exploded(train));
    Matrix coefficients = model.coefficientMatrix();
    double[][] w = new double[classes][];
    double[] b = new double[classes];
    double[] intercepts = model.interceptVector().toArray();
    for (int k = 0; k < classes; k++) {
      w[k] = new double[coefficients.numCols()];
      if (k < coefficients.numRows()) {
        for (int j = 0; j < w[k].length; j++) {
          w[k][j] = coefficients.apply(k, j);
        }
        b[k] = intercepts[k];
      } else {
        b[k] = Double.NEGATIVE_INFINITY; // a class no training video has: probability 0
      }
    }
    double fit = seconds(t0);
    long t1 = System.nanoTime();
    EvalReport r = score(validate, w, b, null, true);
    return new Result("mllib multinomial LR (exploded)", load, fit, seconds(t1), r);
  }

  /** Spark's OneVsRest(LogisticRegression) on one row per (video, label); each class scored by its binary model. */
  private static Result oneVsRest(Dataset<Row> train, Dataset<Row> validate, int classes, double reg, int maxIter,
      double load) {
    long t0 = System.nanoTime();
    OneVsRestModel model = new OneVsRest().setClassifier(new LogisticRegression().setMaxIter(maxIter)
        .setRegParam(reg)).setFeaturesCol("features").setLabelCol("label").fit(exploded(train));
    ClassificationModel<?, ?>[] models = model.models();
    double[][] w = new double[classes][];
    double[] b = new double[classes];
    for (int k = 0; k < classes; k++) {
      if (k < models.length) {
        LogisticRegressionModel lr = (LogisticRegressionModel) models[k];
        w[k] = lr.coefficients().toArray();
        b[k] = lr.intercept();
      } else {
        w[k] = new double[w[0].length];
        b[k] = Double.NEGATIVE_INFINITY;
      }
    }
    double fit = seconds(t0);
    long t1 = System.nanoTime();
    EvalReport r = score(validate, w, b, null, false);
    return new Result("mllib OneVsRest(LR) (single-label)", load, fit, seconds(t1), r);
  }

  private static Dataset<Row> exploded(Dataset<Row> train) {
    return train.select(col("features"), explode(col("labels")).as("class"))
        .withColumn("label", col("class").cast("double"));
  }

  /**
   * Scores every validation video in one Spark pass with the coefficients broadcast (σ(w·x+b) per
   * class, or the softmax over classes), collects (labels, scores) and computes the metrics. Row k
   * of {@code w} is class k, or, with a {@code sample}, its k-th sampled class: then the labels are
   * restricted to the sample and re-indexed likewise.
   */
  private static EvalReport score(Dataset<Row> validate, double[][] w, double[] b, ClassSample sample,
      boolean softmax) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(validate.sparkSession().sparkContext());
    Broadcast<double[][]> weights = sc.broadcast(w);
    Broadcast<double[]> bias = sc.broadcast(b);
    List<Object[]> scored = validate.select("features", "labels").javaRDD().map(row -> {
      double[] x = ((Vector) row.get(0)).toArray();
      double[][] wk = weights.value();
      double[] bk = bias.value();
      double[] z = new double[wk.length];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < wk.length; k++) {
        double s = bk[k];
        for (int j = 0; j < x.length; j++) {
          s += wk[k][j] * x[j];
        }
        z[k] = s;
        max = Math.max(max, s);
      }
      float[] p = new float[z.length];
      double sum = 0;
      for (int k = 0; k < z.length; k++) {
        double e = softmax ? Math.exp(z[k] - max) : 1.0 / (1.0 + Math.exp(-z[k]));
        p[k] = (float) e;
        sum += e;
      }
      if (softmax) {
        for (int k = 0; k < z.length; k++) {
          p[k] = (float) (p[k] / sum);
        }
      }
      List<Integer> labels = row.getList(1);
      return new Object[] {labels.stream().mapToInt(Integer::intValue).toArray(), p};
    }).collect();
    weights.destroy();
    bias.destroy();
    YouTube8mEvaluator evaluator = sample == null ? new YouTube8mEvaluator(w.length, TOP_K) : sample.evaluator();
    for (Object[] s : scored) {
      evaluator.addScores((float[]) s[1], 0, sample == null ? (int[]) s[0] : sample.labels((int[]) s[0]));
    }
    return evaluator.report();
  }

  /**
   * The videos of {@code files} as a DataFrame (id, 1152-d L2-normalised features, labels), each
   * file read by one task with Vidar's TFRecord reader (Spark has no TFRecord source of its own).
   */
  private static Dataset<Row> load(SparkSession session, List<String> files, FeatureSpec spec) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
    JavaRDD<Row> rows = sc.parallelize(files, files.size()).flatMap(name -> {
      List<Row> out = new ArrayList<>();
      try (VideoReader reader = new VideoReader(DataPaths.resolve(List.of(name)), spec, BadRecordPolicy.FAIL)) {
        VideoRecord v;
        while ((v = reader.next()) != null) {
          double[] x = new double[v.features().length];
          for (int j = 0; j < x.length; j++) {
            x[j] = v.features()[j];
          }
          out.add(RowFactory.create(v.id(), Vectors.dense(x), v.labels()));
        }
      }
      return out.iterator();
    });
    StructType schema = new StructType().add("id", DataTypes.StringType, false)
        .add("raw", SQLDataTypes.VectorType(), false)
        .add("labels", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
    Dataset<Row> df = session.createDataFrame(rows, schema);
    return new Normalizer().setP(2.0).setInputCol("raw").setOutputCol("features").transform(df)
        .select("id", "features", "labels");
  }

  private static List<String> names(List<InputFile> files) {
    return files.stream().map(InputFile::name).toList();
  }

  /**
   * N classes spread evenly over the indices 0..C-1, class ⌊(2i+1)·C/(2N)⌋ for i = 0..N-1, the
   * middle one of each of N equal runs (synth's class popularity falls with the index, so the first
   * of each run would lean towards popular classes); re-indexed 0..N-1 in that order, so one
   * evaluator of N classes measures every model on the same classes.
   */
  static final class ClassSample {
    private final int total;
    private final int[] classes;
    private final int[] index;

    private ClassSample(int total, int[] classes) {
      this.total = total;
      this.classes = classes;
      this.index = new int[total];
      Arrays.fill(index, -1);
      for (int i = 0; i < classes.length; i++) {
        index[classes[i]] = i;
      }
    }

    static ClassSample spread(int total, int n) {
      int[] classes = new int[n];
      for (int i = 0; i < n; i++) {
        classes[i] = (int) ((2L * i + 1) * total / (2L * n));
      }
      return new ClassSample(total, classes);
    }

    int size() {
      return classes.length;
    }

    /** The sampled classes, in their new order. */
    int[] classes() {
      return classes.clone();
    }

    /** An evaluator over the sampled classes. */
    YouTube8mEvaluator evaluator() {
      return new YouTube8mEvaluator(classes.length, TOP_K);
    }

    /** A video's labels among the sampled classes, re-indexed. */
    int[] labels(int[] labels) {
      return Arrays.stream(labels).map(c -> index[c]).filter(i -> i >= 0).toArray();
    }

    /** Adds a video scored on all classes ({@code probs[offset .. offset+C)}) to an evaluator of the sample. */
    void add(YouTube8mEvaluator evaluator, float[] probs, int offset, int[] labels) {
      float[] scores = new float[classes.length];
      for (int i = 0; i < classes.length; i++) {
        scores[i] = probs[offset + classes[i]];
      }
      evaluator.addScores(scores, 0, labels(labels));
    }

    String describe() {
      String list = Arrays.stream(classes).mapToObj(Integer::toString).collect(Collectors.joining(", "));
      return String.format(Locale.ROOT, "%d of %d, floor((2i+1)*%d/%d) for i = 0..%d, the middle of each run of %s:"
          + " %s", classes.length, total, total, 2 * classes.length, classes.length - 1,
          total % classes.length == 0 ? Integer.toString(total / classes.length)
              : String.format(Locale.ROOT, "%.1f", (double) total / classes.length), list);
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
