package org.vidar.bench;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.batch.FrameSampling;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.spark.SparkEngine;
import org.vidar.spark.SparkSessions;
import org.vidar.synth.LatentVideoModel;
import org.vidar.synth.SynthConfig;
import org.vidar.synth.SynthLayout;
import org.vidar.synth.SyntheticDatasetWriter;
import org.vidar.train.HeadStage;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;
import org.vidar.train.StageResult;
import org.vidar.train.TrunkStage;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * Stage throughput on Spark at data sizes 10× apart: for each size, one embedding pass, Stage 1
 * (all class groups, a fixed number of L-BFGS iterations) and one Stage 2 iRprop+ step, each timed,
 * on {@code vidar synth} video-level data. Cost should grow linearly with the number of videos.
 *
 * <p>Run: {@code java -Xmx12g $(cat vidar-cli/target/jvm-options.txt) -cp
 * vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt) org.vidar.bench.SparkStageBench
 * [sizes=1000,10000,100000] [classes=300] [master=local[2]] [dir=work/stagebench]}
 */
public final class SparkStageBench {
  private SparkStageBench() {}

  public static void main(String[] args) throws Exception {
    String[] sizes = BenchArgs.get(args, "sizes", "1000,10000,100000").split(",");
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "300"));
    String master = BenchArgs.get(args, "master", "local[2]");
    String dir = BenchArgs.get(args, "dir", "work/stagebench");
    int lbfgs = 3;
    SparkSession session = SparkSessions.start(master, "vidar stage bench");
    List<String> rows = new ArrayList<>();
    try {
      for (String size : sizes) {
        long n = Long.parseLong(size.trim());
        String data = dir + "/n" + n;
        if (!Files.exists(Paths.get(data, "vocabulary.csv"))) {
          new SyntheticDatasetWriter(new LatentVideoModel(SynthConfig.builder().numClasses(classes).seed(3).build()),
              new SynthLayout(data, n, 0, 8, true, false, Runtime.getRuntime().availableProcessors())).write();
        }
        FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
        SparkEngine engine = SparkEngine.of(session, List.of(data + "/video"), spec, BadRecordPolicy.FAIL, FrameSampling.ALL,
            dir + "/work");
        TrainConfig config = new TrainConfig(1, 0, 256, AdamConfig.of(1e-3), HeadConfig.fixed(2, 1e-5f), 1,
            HeadConfig.fixed(4, 1e-5f), 8, LbfgsConfig.of(lbfgs, 1e-12, 1e-15), 1, IRpropConfig.defaults(), 0f, 1024);
        ModelConfig mc = new ModelConfig(spec, new TrunkConfig.VideoMlp(List.of(256), true));
        VideoModel model = VideoModel.initialize(mc, ExpertAllocation.fixed(classes, 4), Seeds.stream(1));
        long[] positives = Trainer.count(engine, classes).positives();
        long t0 = System.nanoTime();
        EmbeddingSource table = engine.embed(model, 1024);
        double embed = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        VideoModel withHeads = new HeadStage(config).run(engine, model, table, positives, 1).model();
        double heads = (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        StageResult tuned = new TrunkStage(config).run(engine, withHeads);
        double trunkSeconds = (System.nanoTime() - t2) / 1e9;
        rows.add(String.format(Locale.ROOT, "%9d %6d %10.1f %10.0f %12.1f %10.0f %12.1f %10.0f", n, engine.shards(),
            embed, n / embed, heads, n / heads, trunkSeconds, n * tuned.optimization().evaluations() / trunkSeconds));
      }
    } finally {
      session.stop();
    }
    System.out.printf(Locale.ROOT, "%nkernels %s, master %s, %d classes, trunk 1152->256+CG, 4 experts, 8 class groups,"
        + " L-BFGS %d iterations%n", KernelProvider.get().name(), master, classes, lbfgs);
    System.out.printf(Locale.ROOT, "%9s %6s %10s %10s %12s %10s %12s %10s%n", "videos", "files", "embed s", "videos/s",
        "stage 1 s", "videos/s", "stage 2 s", "videos/s");
    rows.forEach(System.out::println);
  }
}
