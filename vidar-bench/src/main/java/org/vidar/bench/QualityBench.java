package org.vidar.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.VideoReader;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.EvalReport;
import org.vidar.eval.LabelTable;
import org.vidar.eval.PredictionCsvReader;
import org.vidar.eval.PredictionScoring;
import org.vidar.inference.ModelEvaluation;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.train.LocalEngine;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;

/**
 * The quality table of the model-core issue: on {@code vidar synth} data, GAP@20, Hit@1, PERR and
 * MAP on the validate split for a per-class logistic regression, the pre-trained model, the model
 * after each stage of each alternating round, and the oracle (the true probabilities), with the
 * wall time of each row. All rows in one run on one machine.
 *
 * <p>Run: {@code java -Xmx16g -cp vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt)
 * org.vidar.bench.QualityBench [videos=62500] [classes=300] [dir=work/quality] [rounds=2] [hidden=1024]
 * [experts=16] [epochs=5] [lbfgs=100] [batch=64] [lr=3e-3]}: 62,500 videos give 50,000 training videos.
 */
public final class QualityBench {
  private QualityBench() {}

  public static void main(String[] args) throws Exception {
    long videos = Long.parseLong(BenchArgs.get(args, "videos", "62500"));
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "300"));
    String dir = BenchArgs.get(args, "dir", "work/quality");
    int rounds = Integer.parseInt(BenchArgs.get(args, "rounds", "2"));
    int hidden = Integer.parseInt(BenchArgs.get(args, "hidden", "1024"));
    int experts = Integer.parseInt(BenchArgs.get(args, "experts", "16"));
    int epochs = Integer.parseInt(BenchArgs.get(args, "epochs", "5"));
    int lbfgs = Integer.parseInt(BenchArgs.get(args, "lbfgs", "100"));
    int batch = Integer.parseInt(BenchArgs.get(args, "batch", "64"));
    double learningRate = Double.parseDouble(BenchArgs.get(args, "lr", "3e-3"));
    int threads = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "kernels %s, %d cores%n", KernelProvider.get().name(), threads);
    BenchData.qualitySplits(dir, videos, classes, args);
    FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
    VideoDataset train = VideoDataset.load(DataPaths.resolve(List.of(dir + "/video/train*")), spec,
        BadRecordPolicy.FAIL, FrameSampling.ALL);
    List<InputFile> validateFiles = DataPaths.resolve(List.of(dir + "/video/validate*"));
    VideoDataset validate = VideoDataset.load(validateFiles, spec, BadRecordPolicy.FAIL, FrameSampling.ALL);
    System.out.printf(Locale.ROOT, "%d training and %d validation videos, %d classes%n", train.size(),
        validate.size(), classes);
    List<String> rows = new ArrayList<>();

    long t = System.nanoTime();
    LogisticBaseline lr = LogisticBaseline.train(train, classes, 1e-5, 100, 4096);
    rows.add(row("logistic regression", lr.evaluate(validate, 20, 4096), t));

    TrainConfig config = new TrainConfig(1, epochs, batch, AdamConfig.of(learningRate), HeadConfig.fixed(2, 1e-5f), rounds,
        HeadConfig.fixed(experts, 1e-5f), TrainConfig.AUTO_HEAD_GROUPS, LbfgsConfig.of(lbfgs, 1e-5, 1e-7), 10,
        IRpropConfig.defaults(), 1e-6f, 1024);
    ModelConfig mc = new ModelConfig(spec, hidden == 0 ? new TrunkConfig.VideoMlp(List.of(), false)
        : new TrunkConfig.VideoMlp(List.of(hidden), true));
    long[] start = {System.nanoTime()};
    try (LocalEngine engine = new LocalEngine(train, threads)) {
      new Trainer(config).train(engine, mc, (stage, result, seconds) -> {
        rows.add(row(stage, ModelEvaluation.evaluate(result.model(), validate, 20, 1024), start[0]));
        start[0] = System.nanoTime();
      });
    }

    LabelTable labels;
    try (VideoReader reader = VideoReader.labelsOnly(validateFiles, spec, BadRecordPolicy.FAIL)) {
      labels = LabelTable.read(reader);
    }
    PredictionScoring oracle = new PredictionScoring(labels, classes, 20);
    for (InputFile f : DataPaths.resolve(List.of(dir + "/oracle/validate*"))) {
      try (PredictionCsvReader r = new PredictionCsvReader(
          new BufferedReader(new InputStreamReader(f.open(), StandardCharsets.UTF_8)), f.name(), classes)) {
        oracle.add(r);
      }
    }
    rows.add(String.format(Locale.ROOT, "%-22s %8s %8.4f %8.4f %8.4f %8.4f", "oracle", "-",
        oracle.finish().report().gap(), oracle.finish().report().hit1(), oracle.finish().report().perr(),
        oracle.finish().report().map()));
    System.out.printf(Locale.ROOT, "%n%-22s %8s %8s %8s %8s %8s%n", "model", "seconds", "GAP@20", "Hit@1", "PERR", "MAP");
    rows.forEach(System.out::println);
  }

  private static String row(String name, EvalReport r, long startNanos) {
    return String.format(Locale.ROOT, "%-22s %8.1f %8.4f %8.4f %8.4f %8.4f", name,
        (System.nanoTime() - startNanos) / 1e9, r.gap(), r.hit1(), r.perr(), r.map());
  }
}
