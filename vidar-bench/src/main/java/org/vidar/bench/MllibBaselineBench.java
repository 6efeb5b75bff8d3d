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
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.StreamingPretrainData;
import org.vidar.eval.EvalReport;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.inference.ModelEvaluation;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.spark.SparkEngine;
import org.vidar.spark.SparkSessions;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;

/**
 * Vidar against the peer a Spark user would pick, on the same {@code vidar synth} data, the same
 * Spark session and the same machine, in one run (see {@code shared/specs/baselines.md}):
 *
 * <ul>
 *   <li><b>Vidar</b>: the whole pipeline on the Spark engine (pre-training, alternating rounds),
 *       then the validate split scored.
 *   <li><b>MLlib binary relevance</b>: one binomial {@code LogisticRegression} per class on the
 *       cached, L2-normalised 1152-d features, scored with each model's {@code probability[1]}.
 *   <li><b>MLlib multinomial</b>: one row per (video, label), one multinomial
 *       {@code LogisticRegression}, scored with its softmax probabilities.
 *   <li><b>MLlib OneVsRest(LogisticRegression)</b> (opt in, {@code baselines=...,ovr}): the
 *       single-label reduction on the same exploded rows, which counts a video as a negative for its
 *       own other labels.
 * </ul>
 *
 * <p>MLlib's load (read, normalise, cache), train and predict times are reported apart. Scores are
 * computed from the fitted coefficients in one Spark pass over the validate split (for a binomial
 * model, σ(w·x + b) is exactly its {@code probability[1]}; for the multinomial one, the softmax).
 *
 * <p>Run with one BLAS thread per task, as Spark sets it on a cluster ({@code OMP_NUM_THREADS} =
 * {@code spark.task.cpus}, SPARK-41188) but not in local mode, where two tasks would otherwise share
 * OpenBLAS's threads: {@code OPENBLAS_NUM_THREADS=1 java -Xmx16g $(cat vidar-cli/target/jvm-options.txt) -cp
 * vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt) org.vidar.bench.MllibBaselineBench
 * [videos=62500] [classes=300] [dir=work/quality] [master=local[2]] [baselines=vidar,binary,multinomial]
 * [regParam=1e-4] [maxIter=20] [multinomialIter=100] [hidden=512] [experts=4] [epochs=5] [rounds=2]
 * [lbfgs=60] [groups=8] [steps=10]}: 62,500 videos give 50,000 training videos. Rows come in the order
 * of {@code baselines}. Binary relevance fits one class after another, about 24 s a class here
 * (about two hours for 300 classes).
 */
public final class MllibBaselineBench {
  private static final int TOP_K = 20;

  private MllibBaselineBench() {}

  public static void main(String[] args) throws Exception {
    long videos = Long.parseLong(BenchArgs.get(args, "videos", "62500"));
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "300"));
    String dir = BenchArgs.get(args, "dir", "work/quality");
    String master = BenchArgs.get(args, "master", "local[2]");
    List<String> baselines = Arrays.asList(BenchArgs.get(args, "baselines", "vidar,binary,multinomial").split(","));
    double regParam = Double.parseDouble(BenchArgs.get(args, "regParam", "1e-4"));
    int maxIter = Integer.parseInt(BenchArgs.get(args, "maxIter", "20"));
    int multinomialIter = Integer.parseInt(BenchArgs.get(args, "multinomialIter", "100"));
    BenchData.qualitySplits(dir, videos, classes, args);
    FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
    List<String> trainFiles = names(DataPaths.resolve(List.of(dir + "/video/train*")));
    List<String> validateFiles = names(DataPaths.resolve(List.of(dir + "/video/validate*")));
    System.out.printf(Locale.ROOT, "kernels %s, master %s, OPENBLAS_NUM_THREADS=%s, %d classes, %d training and %d"
        + " validation files%n", KernelProvider.get().name(), master, System.getenv("OPENBLAS_NUM_THREADS"), classes,
        trainFiles.size(), validateFiles.size());

    List<String> rows = new ArrayList<>();
    SparkSession session = SparkSessions.start(master, "vidar vs mllib");
    try {
      // In the order given; the MLlib rows share one read of the data, cached.
      Dataset<Row> train = null;
      Dataset<Row> validate = null;
      double load = 0;
      for (String b : baselines) {
        if (b.equals("vidar")) {
          rows.add(vidar(args, session, spec, trainFiles, validateFiles, dir));
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
        rows.add(switch (b) {
          case "binary" -> binaryRelevance(train, validate, classes, regParam, maxIter, load);
          case "multinomial" -> multinomial(train, validate, classes, regParam, multinomialIter, load);
          case "ovr" -> oneVsRest(train, validate, classes, regParam, maxIter, load);
          default -> throw new IllegalArgumentException("baselines: unknown " + b
              + " (vidar, binary, multinomial or ovr)");
        });
      }
    } finally {
      session.stop();
    }
    System.out.printf(Locale.ROOT, "%n%-36s %8s %8s %8s %8s %8s %8s %8s%n", "model", "load s", "train s",
        "predict s", "GAP@20", "Hit@1", "PERR", "MAP");
    rows.forEach(System.out::println);
  }

  private static String vidar(String[] args, SparkSession session, FeatureSpec spec, List<String> trainFiles,
      List<String> validateFiles, String dir) throws Exception {
    int hidden = Integer.parseInt(BenchArgs.get(args, "hidden", "512"));
    int experts = Integer.parseInt(BenchArgs.get(args, "experts", "4"));
    int epochs = Integer.parseInt(BenchArgs.get(args, "epochs", "5"));
    int rounds = Integer.parseInt(BenchArgs.get(args, "rounds", "2"));
    int lbfgs = Integer.parseInt(BenchArgs.get(args, "lbfgs", "60"));
    int groups = Integer.parseInt(BenchArgs.get(args, "groups", "8"));
    int steps = Integer.parseInt(BenchArgs.get(args, "steps", "10"));
    int classes = spec.numClasses();
    TrainConfig config = new TrainConfig(1, epochs, 256, AdamConfig.of(1e-3), HeadConfig.fixed(2, 1e-5f), rounds,
        HeadConfig.fixed(experts, 1e-5f), groups, LbfgsConfig.of(lbfgs, 1e-5, 1e-7), steps,
        IRpropConfig.defaults(), 1e-6f, 1024);
    ModelConfig mc = new ModelConfig(spec, new TrunkConfig.VideoMlp(List.of(hidden), true));
    long t0 = System.nanoTime();
    SparkEngine engine = SparkEngine.of(session, trainFiles, spec, BadRecordPolicy.FAIL, FrameSampling.ALL,
        Files.createDirectories(Paths.get(dir, "work")).toString());
    StreamingPretrainData pretrain = new StreamingPretrainData(DataPaths.resolve(trainFiles), spec,
        BadRecordPolicy.FAIL, FrameSampling.ALL, 20_000);
    VideoModel model = new Trainer(config).train(engine, pretrain, mc, (stage, result, s) ->
        System.out.printf(Locale.ROOT, "vidar: %-16s %7.1f s%n", stage, s));
    double train = seconds(t0);
    long t1 = System.nanoTime();
    EvalReport r = ModelEvaluation.evaluate(model, DataPaths.resolve(validateFiles), BadRecordPolicy.FAIL, TOP_K,
        1024).report();
    double predict = seconds(t1);
    String name = String.format(Locale.ROOT, "vidar (%d+CG, %d experts, rounds %d)", hidden, experts, rounds);
    return row(name, Double.NaN, train, predict, r);
  }

  /** One binomial logistic regression per class ("label = class present"), fitted one after another. */
  private static String binaryRelevance(Dataset<Row> train, Dataset<Row> validate, int classes, double reg,
      int maxIter, double load) {
    long t0 = System.nanoTime();
    double[][] w = new double[classes][];
    double[] b = new double[classes];
    for (int k = 0; k < classes; k++) {
      Dataset<Row> d = train.withColumn("label", array_contains(col("labels"), k).cast("double"));
      LogisticRegressionModel model = new LogisticRegression().setMaxIter(maxIter).setRegParam(reg)
          .setFeaturesCol("features").setLabelCol("label").fit(d);
      w[k] = model.coefficients().toArray();
      b[k] = model.intercept();
      if ((k + 1) % 10 == 0) {
        double s = seconds(t0);
        System.out.printf(Locale.ROOT, "mllib binary relevance: %d/%d classes in %.0f s (%.1f s a class)%n", k + 1,
            classes, s, s / (k + 1));
      }
    }
    double fit = seconds(t0);
    long t1 = System.nanoTime();
    EvalReport r = score(validate, w, b, classes, false);
    return row(String.format(Locale.ROOT, "mllib binary relevance (%d LR)", classes), load, fit, seconds(t1), r);
  }

  /** One multinomial logistic regression over one row per (video, label), softmax scores. */
  private static String multinomial(Dataset<Row> train, Dataset<Row> validate, int classes, double reg, int maxIter,
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
    EvalReport r = score(validate, w, b, classes, true);
    return row("mllib multinomial LR (exploded)", load, fit, seconds(t1), r);
  }

  /** Spark's OneVsRest(LogisticRegression) on one row per (video, label); each class scored by its binary model. */
  private static String oneVsRest(Dataset<Row> train, Dataset<Row> validate, int classes, double reg, int maxIter,
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
    EvalReport r = score(validate, w, b, classes, false);
    return row("mllib OneVsRest(LR) (single-label)", load, fit, seconds(t1), r);
  }

  private static Dataset<Row> exploded(Dataset<Row> train) {
    return train.select(col("features"), explode(col("labels")).as("class"))
        .withColumn("label", col("class").cast("double"));
  }

  /**
   * Scores every validation video in one Spark pass with the coefficients broadcast (σ(w·x+b) per
   * class, or the softmax over classes), collects (labels, scores) and computes the metrics.
   */
  private static EvalReport score(Dataset<Row> validate, double[][] w, double[] b, int classes, boolean softmax) {
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
    YouTube8mEvaluator evaluator = new YouTube8mEvaluator(classes, TOP_K);
    for (Object[] s : scored) {
      evaluator.addScores((float[]) s[1], 0, (int[]) s[0]);
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

  private static String row(String name, double load, double train, double predict, EvalReport r) {
    return String.format(Locale.ROOT, "%-36s %8s %8.1f %8.1f %8.4f %8.4f %8.4f %8.4f", name,
        Double.isNaN(load) ? "-" : String.format(Locale.ROOT, "%.1f", load), train, predict, r.gap(), r.hit1(),
        r.perr(), r.map());
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
