package org.vidar.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import com.sun.management.GarbageCollectionNotificationInfo;
import org.apache.spark.sql.SparkSession;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.batch.FrameSampling;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.TrunkPart;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ClassGroups;
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
import org.vidar.train.Engine;
import org.vidar.train.HeadStage;
import org.vidar.train.LossGradient;
import org.vidar.train.TrainConfig;
import org.vidar.train.TrunkGradient;
import org.vidar.train.embedding.EmbeddingFiles;
import org.vidar.train.embedding.EmbeddingPrecision;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * Peak heap of one Spark task in each stage, at several class counts: the embedding pass (one
 * partition), a Stage 1 class-group task and a Stage 2 gradient task, each the same call the stage
 * makes, run on {@code local[1]} so that one task runs at a time in this JVM.
 *
 * <p>A probe forces a full GC when a task starts (its baseline: everything already live, the
 * broadcast model and the results of earlier tasks included) and records the heap in use after
 * every GC until the task ends. Run with a small young generation ({@code -XX:+UseSerialGC
 * -Xmn32m}) so that GCs come every 32 MB of allocation: the figure is then the task's peak live
 * heap to within that, and an upper bound (a young GC does not free dead old-generation objects).
 *
 * <p>Run: {@code java -Xmx20g -XX:+UseSerialGC -Xmn32m $(cat vidar-cli/target/jvm-options.txt) -cp
 * vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt) org.vidar.bench.TaskMemoryBench
 * [classes=300,3862] [groups=8] [videos=5000] [hidden=1024] [experts=16] [chunk=1024] [dir=work/taskmem]}
 */
public final class TaskMemoryBench {
  private static final double MB = 1 << 20;

  private TaskMemoryBench() {}

  /** The peak heap after GCs since {@link #start}, above the heap live at the start. */
  static final class Probe {
    private static final AtomicLong PEAK = new AtomicLong();
    private static volatile boolean armed;
    private static long baseline;

    static {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
          if (!armed || !n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
          }
          GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
              (CompositeData) n.getUserData());
          long used = 0;
          for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
            used += u.getUsed();
          }
          PEAK.accumulateAndGet(used, Math::max);
        }, null, null);
      }
    }

    static synchronized void start() {
      armed = false;
      System.gc();
      baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      PEAK.set(baseline);
      armed = true;
    }

    /** MB above the baseline at the task's highest post-GC point, the end of the task included. */
    static synchronized double stop() {
      System.gc(); // a last sample: what the task still holds at its end (its result)
      try {
        Thread.sleep(50); // notifications arrive on another thread
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      armed = false;
      return (PEAK.get() - baseline) / MB;
    }
  }

  public static void main(String[] args) throws Exception {
    String[] classCounts = BenchArgs.get(args, "classes", "300,3862").split(",");
    String[] groupCounts = BenchArgs.get(args, "groups", "8").split(",");
    long videos = Long.parseLong(BenchArgs.get(args, "videos", "5000"));
    int hidden = Integer.parseInt(BenchArgs.get(args, "hidden", "1024"));
    int experts = Integer.parseInt(BenchArgs.get(args, "experts", "16"));
    int chunk = Integer.parseInt(BenchArgs.get(args, "chunk", "1024"));
    String dir = BenchArgs.get(args, "dir", "work/taskmem");
    SparkSession session = SparkSessions.start("local[1]", "vidar task memory");
    List<String> rows = new ArrayList<>();
    try {
      for (String c : classCounts) {
        int classes = Integer.parseInt(c.trim());
        String data = dir + "/c" + classes + "-n" + videos;
        if (!Files.exists(Paths.get(data, "vocabulary.csv"))) {
          new SyntheticDatasetWriter(new LatentVideoModel(SynthConfig.builder().numClasses(classes).seed(3).build()),
              new SynthLayout(data, videos, 0, 4, true, false, Runtime.getRuntime().availableProcessors())).write();
        }
        FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
        String work = Files.createDirectories(Paths.get(dir, "work")).toString();
        SparkEngine engine = SparkEngine.of(session, List.of(data + "/video"), spec, BadRecordPolicy.FAIL, FrameSampling.ALL, work);
        ModelConfig mc = new ModelConfig(spec, new TrunkConfig.VideoMlp(List.of(hidden), true));
        ExpertAllocation allocation = ExpertAllocation.fixed(classes, experts);
        VideoModel model = VideoModel.initialize(mc, allocation, Seeds.stream(1));
        double modelMb = model.parameterCount() * 4 / MB;

        // The embedding pass: each partition writes its shard with the broadcast trunk, as SparkEngine.embed does.
        List<String> shards = new ArrayList<>();
        String out = DataPaths.join(work, "embeddings-c" + classes);
        org.apache.spark.broadcast.Broadcast<TrunkPart> trunkPart =
            engine.broadcast(TrunkPart.of(model));
        double embedMb = engine.aggregateShards(shard -> {
          Probe.start();
          try {
            EmbeddingFiles.write(shard, trunkPart.value(), DataPaths.join(out, "part-" + shard.index() + ".bin"),
                chunk, EmbeddingPrecision.FLOAT32);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return Probe.stop();
        }, Math::max);
        trunkPart.destroy();
        for (int i = 0; i < engine.shards(); i++) {
          shards.add(DataPaths.join(out, "part-" + i + ".bin"));
        }
        EmbeddingSource table = new EmbeddingFiles.Source(shards, hidden, classes, EmbeddingPrecision.FLOAT32);

        // Stage 1: one task per class group, the call HeadStage.run makes (two L-BFGS iterations).
        for (String g : groupCounts) {
          int groups = Integer.parseInt(g.trim());
          TrainConfig config = new TrainConfig(1, 0, 256, AdamConfig.of(1e-3), HeadConfig.fixed(2, 1e-5f), 1,
              HeadConfig.fixed(experts, 1e-5f), groups, LbfgsConfig.of(2, 1e-12, 1e-15), 1, IRpropConfig.defaults(),
              0f, chunk);
          HeadStage stage = new HeadStage(config);
          List<int[]> classGroups = ClassGroups.balance(allocation.expertsPerClass(), groups);
          long t0 = System.nanoTime();
          List<Double> peaks = engine.mapItems(classGroups, members -> {
            Probe.start();
            HeadStage.GroupResult r = stage.trainGroup(allocation, members, table, 1);
            double peak = Probe.stop();
            java.lang.ref.Reference.reachabilityFence(r); // the result is the task's until it returns
            return peak;
          });
          double seconds = (System.nanoTime() - t0) / 1e9;
          double groupMb = (double) hidden * (classes / (double) groups) * (2 * experts + 1) * 4 / MB;
          rows.add(String.format(Locale.ROOT, "%7d %7d %-26s %10.0f %10.0f %10.0f %8.0f", classes, groups,
              "stage 1 (class group)", peaks.stream().mapToDouble(Double::doubleValue).max().orElse(0),
              groupMb, modelMb, seconds));
        }

        // Stage 2: one task per partition sums the trunk gradient, as TrunkStage does.
        float[] trunk = model.trunkParams();
        double trunkMb;
        try (Engine.Shared<VideoModel> shared = engine.shareModel(model);
            Engine.Shared<float[]> params = engine.shareArray(trunk)) {
          trunkMb = engine.aggregateShards(shard -> {
            Probe.start();
            LossGradient g = TrunkGradient.overShard(shared.get(), params.get(), shard, chunk);
            double peak = Probe.stop();
            java.lang.ref.Reference.reachabilityFence(g);
            return peak;
          }, Math::max);
        }
        rows.add(String.format(Locale.ROOT, "%7d %7s %-26s %10.0f %10s %10.0f %8s", classes, "-",
            "embedding pass (partition)", embedMb, "-", modelMb, "-"));
        rows.add(String.format(Locale.ROOT, "%7d %7s %-26s %10.0f %10s %10.0f %8s", classes, "-",
            "stage 2 (partition)", trunkMb, "-", modelMb, "-"));
      }
    } finally {
      session.stop();
    }
    System.out.printf(Locale.ROOT, "%nkernels %s, local[1], %d videos in 4 files, trunk 1152->%d+CG, %d experts per"
        + " class, chunks of %d videos, max heap %.0f MB%n", KernelProvider.get().name(), videos, hidden, experts,
        chunk, Runtime.getRuntime().maxMemory() / MB);
    System.out.printf(Locale.ROOT, "%7s %7s %-26s %10s %10s %10s %8s%n", "classes", "groups", "task",
        "peak MB", "group MB", "model MB", "stage s");
    rows.forEach(System.out::println);
  }
}
