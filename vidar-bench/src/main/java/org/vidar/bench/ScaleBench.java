package org.vidar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.vidar.data.FeatureSpec;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ClassGroups;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.ParameterLayout;
import org.vidar.train.LossGradient;
import org.vidar.train.TrunkGradient;

/**
 * Whether the paper's scale fits this machine: a video-level model with a 2048-wide trunk and 4716
 * classes × 64 experts (about 300,000 experts), built and stepped once per stage on random data.
 * Prints the parameter memory, the peak heap, and the time of one Stage 2 gradient batch and of one
 * Stage 1 class-group evaluation, with the extrapolation to a pass over N videos.
 *
 * <p>Run: {@code java -Xmx22g -cp vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt)
 * org.vidar.bench.ScaleBench [classes=4716] [experts=64] [width=2048] [rows=256] [groups=16]}
 */
public final class ScaleBench {
  private ScaleBench() {}

  public static void main(String[] args) {
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "4716"));
    int experts = Integer.parseInt(BenchArgs.get(args, "experts", "64"));
    int width = Integer.parseInt(BenchArgs.get(args, "width", "2048"));
    int rows = Integer.parseInt(BenchArgs.get(args, "rows", "256"));
    int groups = Integer.parseInt(BenchArgs.get(args, "groups", "16"));
    System.out.printf(Locale.ROOT, "kernels %s, %d cores, max heap %.1f GiB%n", KernelProvider.get().name(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1073741824.0);
    FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
    ModelConfig config = new ModelConfig(spec, new TrunkConfig.VideoMlp(List.of(width), false));
    long t0 = System.nanoTime();
    VideoModel model = VideoModel.initialize(config, ExpertAllocation.fixed(classes, experts), new SplittableRandom(1));
    System.out.printf(Locale.ROOT, "model: %,d experts, %,d parameters (%.2f GB of floats), initialized in %.1f s%n",
        model.allocation().totalExperts(), model.parameterCount(), model.parameterCount() * 4 / 1e9,
        (System.nanoTime() - t0) / 1e9);

    SplittableRandom random = new SplittableRandom(2);
    int n = rows;
    float[] features = new float[n * spec.dimension()];
    for (int i = 0; i < features.length; i++) {
      features[i] = (float) random.nextGaussian();
    }
    String[] ids = new String[n];
    int[][] labels = new int[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = "v" + i;
      int a = random.nextInt(classes);
      int c = random.nextInt(classes);
      labels[i] = a == c ? new int[] {a} : new int[] {Math.min(a, c), Math.max(a, c)};
    }
    VideoDataset data = VideoDataset.of(FeatureSpec.Level.VIDEO, spec.dimension(), ids, labels, features, null);

    // Stage 2: one batch of trunk gradient through the frozen heads.
    for (int rep = 0; rep < 2; rep++) {
      long t = System.nanoTime();
      LossGradient g = TrunkGradient.overShard(model, model.trunkParams(), new OneShard(data), rows);
      double s = (System.nanoTime() - t) / 1e9;
      long flops = 2L * model.heads().forwardFlops(rows) + 3L * 2 * rows * spec.dimension() * width;
      System.out.printf(Locale.ROOT, "stage 2, %d videos: %.2f s (%.0f GFLOP/s; loss %.1f) -> %.1f s per 10,000 videos%n",
          rows, s, flops / s / 1e9, g.loss(), s * 10_000 / rows);
    }

    // Stage 1: one evaluation of one class group's heads over the same videos' embeddings.
    List<int[]> split = ClassGroups.balance(model.allocation().expertsPerClass(), groups);
    int[] group = split.get(0);
    ExpertAllocation ga = model.allocation().select(group);
    ParameterLayout.Builder b = ParameterLayout.builder();
    MoeHeads heads = new MoeHeads("heads", width, ga, b);
    float[] params = new float[b.build().size()];
    heads.initialize(params, new SplittableRandom(3));
    float[] grad = new float[params.length];
    float[] emb = new float[rows * width];
    VideoBatch batch = new VideoBatch(FeatureSpec.Level.VIDEO, spec.dimension());
    batch.gather(data, null, 0, rows);
    model.newScorer().embed(batch, emb);
    int[] offsets = new int[rows + 1];
    MoeHeads.Scratch scratch = heads.newScratch();
    for (int rep = 0; rep < 2; rep++) {
      long t = System.nanoTime();
      Arrays.fill(grad, 0f);
      // Loss and parameter gradient, no embedding gradient (the trunk is frozen): 2x the forward flops.
      heads.lossAndBackward(params, emb, rows, new int[0], offsets, null, grad, scratch);
      double s = (System.nanoTime() - t) / 1e9;
      System.out.printf(Locale.ROOT, "stage 1, group of %d classes (%,d parameters), %d videos: %.2f s (%.0f GFLOP/s)"
          + " -> all %d groups over 10,000 videos: %.0f s per L-BFGS evaluation%n", group.length, params.length, rows,
          s, 2.0 * heads.forwardFlops(rows) / s / 1e9, split.size(), s * split.size() * 10_000 / rows);
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(Locale.ROOT, "peak heap (sum of pool peaks): %.1f GiB%n", peak / 1073741824.0);
  }

  /** All videos of a dataset as one shard. */
  private static final class OneShard implements org.vidar.data.batch.DataShard {
    private final VideoDataset data;
    private boolean done;

    OneShard(VideoDataset data) {
      this.data = data;
    }

    @Override
    public boolean next(VideoBatch batch, int maxRows) {
      if (done) {
        return false;
      }
      batch.gather(data, null, 0, data.size());
      done = true;
      return true;
    }

    @Override
    public int index() {
      return 0;
    }
  }
}
