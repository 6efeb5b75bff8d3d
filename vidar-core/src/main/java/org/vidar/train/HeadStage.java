package org.vidar.train;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.vidar.model.HeadConfig;
import org.vidar.model.ParameterLayout;
import org.vidar.model.TensorRef;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.optim.DifferentiableFunction;
import org.vidar.optim.Lbfgs;
import org.vidar.optim.OptimizationResult;

/**
 * Stage 1, model-parallel: with the trunk frozen, fresh heads (experts allocated from each class's
 * positive count) are trained per class group, each group by full-batch L-BFGS over every video's
 * embedding (all negatives), and the groups' heads are put back together into one model.
 *
 * <p>The objective of a group is the mean binary cross-entropy over all videos plus
 * {@code λ/2·‖W‖²}. A task holds its group's heads, the optimizer's history and one chunk of
 * embeddings at a time. Heads are initialized per class from the seed, so the result does not
 * depend on how classes are grouped. With {@link TrainConfig#continueHeads}, a model whose heads
 * already have the stage's experts per class (every round after the first) starts from them instead.
 */
public final class HeadStage implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final long STAGE = 1;
  private final TrainConfig config;

  public HeadStage(TrainConfig config) {
    this.config = config;
  }

  /** What a group task produced. */
  public record GroupResult(int[] classes, float[] params, OptimizationResult optimization)
      implements java.io.Serializable {}

  /** The model with fresh, trained heads; {@code positives} decides the experts per class. */
  public VideoModel run(Engine engine, VideoModel model, EmbeddingSource table, long[] positives, int round) {
    HeadConfig hc = config.heads();
    ExpertAllocation allocation = allocate(hc, positives);
    List<int[]> groups = ClassGroups.balance(allocation.expertsPerClass(), config.headGroups());
    boolean continuing = config.continueHeads()
        && Arrays.equals(model.allocation().expertsPerClass(), allocation.expertsPerClass());
    List<GroupResult> results;
    // The task carries this stage (its config), the allocation and the embedding source: all serializable.
    if (continuing) {
      try (Engine.Shared<float[]> previous = engine.shareArray(model.headParams())) {
        results = engine.mapItems(groups, classes -> trainGroup(allocation, classes, table, round, previous.get()));
      }
    } else {
      results = engine.mapItems(groups, classes -> trainGroup(allocation, classes, table, round));
    }
    ParameterLayout.Builder b = ParameterLayout.builder();
    MoeHeads fullHeads = new MoeHeads(VideoModel.HEADS, table.dim(), allocation, b);
    float[] full = new float[b.build().size()];
    for (GroupResult r : results) {
      scatter(allocation.select(r.classes()), r.params(), r.classes(), fullHeads, full, table.dim());
    }
    return model.withHeads(model.config().withHeads(hc), allocation, full);
  }

  /** Experts per class as the head config says. */
  public static ExpertAllocation allocate(HeadConfig hc, long[] positives) {
    if (!hc.adaptive()) {
      return ExpertAllocation.fixed(positives.length, hc.maxExperts());
    }
    return ExpertAllocation.adaptive(positives,
        new ExpertAllocation.AdaptiveRule(hc.positivesPerExpert(), 1, hc.maxExperts()));
  }

  /** Trains the fresh heads of one class group over the whole table. */
  public GroupResult trainGroup(ExpertAllocation full, int[] classes, EmbeddingSource table, int round) {
    return trainGroup(full, classes, table, round, null);
  }

  /**
   * Trains the heads of one class group over the whole table, starting from their columns in
   * {@code previous} (full heads of allocation {@code full}), or fresh when it is null.
   */
  public GroupResult trainGroup(ExpertAllocation full, int[] classes, EmbeddingSource table, int round,
      float[] previous) {
    ExpertAllocation ga = full.select(classes);
    ParameterLayout.Builder b = ParameterLayout.builder();
    MoeHeads heads = new MoeHeads(VideoModel.HEADS, table.dim(), ga, b);
    float[] params = new float[b.build().size()];
    if (previous != null) {
      ParameterLayout.Builder fb = ParameterLayout.builder();
      copyClasses(ga, params, classes, new MoeHeads(VideoModel.HEADS, table.dim(), full, fb), previous,
          table.dim(), false);
    } else {
      for (int i = 0; i < classes.length; i++) {
        initializeClass(heads, params, i, Seeds.stream(config.seed(), STAGE, round, classes[i]));
      }
    }
    int[] local = new int[full.numClasses()];
    Arrays.fill(local, -1);
    for (int i = 0; i < classes.length; i++) {
      local[classes[i]] = i;
    }
    double lambda = config.heads().l2();
    int chunk = config.chunkRows();
    MoeHeads.Scratch scratch = heads.newScratch();
    DifferentiableFunction objective = (x, grad) -> {
      Arrays.fill(grad, 0f);
      double[] loss = {0};
      long[] videos = {0};
      table.forEachChunk(chunk, (emb, rows, labels, offsets) -> {
        GroupLabels g = GroupLabels.of(labels, offsets, rows, local);
        loss[0] += heads.lossAndBackward(x, emb, rows, g.labels, g.offsets, null, grad, scratch);
        videos[0] += rows;
      });
      double n = Math.max(1, videos[0]);
      for (int i = 0; i < grad.length; i++) {
        grad[i] /= n;
      }
      return loss[0] / n + heads.l2(x, lambda, grad);
    };
    OptimizationResult r = new Lbfgs(config.lbfgs()).minimize(objective, params);
    return new GroupResult(classes, params, r);
  }

  /** Class {@code local}'s expert and gate columns drawn from its own stream; biases zero. */
  static void initializeClass(MoeHeads heads, float[] params, int local, SplittableRandom random) {
    ExpertAllocation a = heads.allocation();
    int h = heads.inputDim();
    double bound = 1.0 / Math.sqrt(h);
    fillColumns(params, heads.expertWeights(), a.totalExperts(), a.expertOffset(local), a.experts(local), h, bound, random);
    fillColumns(params, heads.gateWeights(), a.totalGates(), a.gateOffset(local), a.experts(local) + 1, h, bound, random);
  }

  private static void fillColumns(float[] p, TensorRef w, int width, int first, int count, int rows, double bound,
      SplittableRandom random) {
    for (int r = 0; r < rows; r++) {
      int base = w.offset() + r * width + first;
      for (int c = 0; c < count; c++) {
        p[base + c] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
  }

  /** Copies a group's head columns into the full heads' parameters. */
  static void scatter(ExpertAllocation group, float[] gp, int[] classes, MoeHeads full, float[] fp, int h) {
    copyClasses(group, gp, classes, full, fp, h, true);
  }

  /**
   * Copies the expert and gate columns of a group's classes between the group's parameters
   * {@code gp} and the full heads' {@code fp}: into the full heads when {@code toFull}, out of
   * them otherwise.
   */
  static void copyClasses(ExpertAllocation group, float[] gp, int[] classes, MoeHeads full, float[] fp, int h,
      boolean toFull) {
    ExpertAllocation fa = full.allocation();
    ParameterLayout.Builder b = ParameterLayout.builder();
    MoeHeads gh = new MoeHeads(VideoModel.HEADS, h, group, b);
    for (int i = 0; i < classes.length; i++) {
      int k = classes[i];
      int e = group.experts(i);
      Columns g = new Columns(gp, group.totalExperts(), group.expertOffset(i), group.totalGates(),
          group.gateOffset(i));
      Columns f = new Columns(fp, fa.totalExperts(), fa.expertOffset(k), fa.totalGates(), fa.gateOffset(k));
      Columns from = toFull ? g : f;
      Columns to = toFull ? f : g;
      MoeHeads fromHeads = toFull ? gh : full;
      MoeHeads toHeads = toFull ? full : gh;
      copyColumns(from.p, fromHeads.expertWeights(), from.experts, from.expert, to.p, toHeads.expertWeights(),
          to.experts, to.expert, e, h);
      copyColumns(from.p, fromHeads.expertBias(), from.experts, from.expert, to.p, toHeads.expertBias(),
          to.experts, to.expert, e, 1);
      copyColumns(from.p, fromHeads.gateWeights(), from.gates, from.gate, to.p, toHeads.gateWeights(),
          to.gates, to.gate, e + 1, h);
      copyColumns(from.p, fromHeads.gateBias(), from.gates, from.gate, to.p, toHeads.gateBias(),
          to.gates, to.gate, e + 1, 1);
    }
  }

  /** One class's place in a parameter array: the widths of the expert and gate tensors and its first columns. */
  private record Columns(float[] p, int experts, int expert, int gates, int gate) {}

  private static void copyColumns(float[] src, TensorRef st, int sw, int sc, float[] dst, TensorRef dt, int dw, int dc,
      int count, int rows) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, st.offset() + r * sw + sc, dst, dt.offset() + r * dw + dc, count);
    }
  }

  /** A chunk's labels restricted to a group's classes, renumbered 0..group size-1, as compressed rows. */
  static final class GroupLabels {
    final int[] offsets;
    final int[] labels;

    private GroupLabels(int[] offsets, int[] labels) {
      this.offsets = offsets;
      this.labels = labels;
    }

    /** {@code local[k]} is class k's index in the group, or -1. */
    static GroupLabels of(int[] labels, int[] offsets, int rows, int[] local) {
      int[] off = new int[rows + 1];
      int n = 0;
      for (int j = offsets[0]; j < offsets[rows]; j++) {
        n += local[labels[j]] >= 0 ? 1 : 0;
      }
      int[] out = new int[n];
      n = 0;
      for (int v = 0; v < rows; v++) {
        for (int j = offsets[v]; j < offsets[v + 1]; j++) {
          int l = local[labels[j]];
          if (l >= 0) {
            out[n++] = l;
          }
        }
        off[v + 1] = n;
      }
      return new GroupLabels(off, out);
    }
  }
}
