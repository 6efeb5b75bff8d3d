package org.vidar.train;

import java.util.Arrays;
import java.util.List;
import org.vidar.data.ProgressSink;
import org.vidar.data.Seeds;
import org.vidar.math.SpareThreads;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ClassGroups;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.TensorRef;
import org.vidar.optim.Adam;
import org.vidar.optim.DifferentiableFunction;
import org.vidar.optim.Lbfgs;
import org.vidar.optim.OptimizationResult;
import org.vidar.optim.StopReason;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * Stage 1, model-parallel: with the trunk frozen, fresh heads (experts allocated from each class's
 * positive count) are trained per class group over every video's embedding (all negatives), by
 * mini-batch Adam or full-batch L-BFGS ({@link TrainConfig#headOptimizer}), and the groups' heads
 * are put back together into one model.
 *
 * <p>The objective of a group is the mean binary cross-entropy over all videos plus
 * {@code λ/2·‖W‖²}. A task holds its group's heads, the optimizer's history and one chunk of
 * embeddings at a time. Heads are initialized per class from the seed, so a class starts the same in
 * any grouping; the grouping itself is part of the model ({@link TrainConfig#headGroupsFor}), since
 * Adam stops a group's classes together and L-BFGS steps them together. With Adam, the groups are
 * spread over as many tasks as the workers can run at once ({@link ClassGroups#scheduledCount}),
 * each task training its groups in one set of GEMMs but stopping each on its own, so the model is
 * the same on any number of workers. With {@link TrainConfig#continueHeads}, the stage starts from
 * the model's heads instead, grown to its experts per class ({@link MoeHeads#growClass}; as they are
 * when the counts match), and with Adam and a held-out slice those heads are scored as pass 0, so a
 * group that no pass improves on held-out videos keeps them.
 */
public final class HeadStage implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final long STAGE = 1;
  /**
   * Fewest Adam steps of a group: the steps 40 passes over 20,000 videos make. On 1,600 videos, 40
   * passes (80 steps) left fresh heads at a training loss of 4.9 where pre-training had reached 2.0.
   */
  public static final int MIN_ADAM_STEPS = 800;

  /**
   * Stage 1's Adam multiplies a class group's learning rate by this after each pass that did not
   * lower the group's held-out loss. At 200,000 videos, 300 classes of 8 experts (synth data with up
   * to 8 modes a class), the heads levelled off at GAP 0.9085 with 0.7, 0.9107 with 0.5, 0.9114 with
   * 0.3 and 0.9115 with 0.2, in about as many passes; at 20,000 videos 0.2 and 0.5 both gave 0.8681
   * (and for 4 experts, earlier, 0.5 gave 0.8647 against 0.8631 without any decay).
   */
  static final double HELD_OUT_DECAY = 0.2;

  /**
   * Fresh heads on a table of {@link #MIN_RISING_STEPS} to {@link #FEW_STEPS} full batches ({@link Batches#RISING}) take their first passes
   * in batches of a quarter of {@link TrainConfig#batchSize}, doubled every
   * {@link #FRESH_BATCH_DOUBLING} passes up to it: more, smaller steps while the heads are far from
   * any optimum, the full batch's quieter steps near it. Heads on the features, 300 classes of 8
   * experts, synth videos (up to 8 modes a class), batch 1024, one run each (AMD Zen 4, 2 cores):
   * at 20,000 videos (19 steps a pass), GAP@20 0.8565 after 4 passes (13.6 s) against 0.7760
   * (14.2 s) with batch 1024 throughout, ending 0.8686 against 0.8689; batch 256 throughout reached
   * 0.8560 after 4 passes but ended 0.8668, batch 512 0.8420 and 0.8689, and doubling every pass
   * (256, 512, 1024) 0.8393 and 0.8675. At 200,000 (190 steps a pass) these smaller batches ended
   * at 0.9097 against 0.9116: larger tables take half the batch in the first pass alone
   * ({@link Batches#HALF_FIRST}), which scored 0.8935 after it (33.2 s) against 0.8847 (31.0 s) at
   * the full batch, and ended at 0.9118.
   */
  static final int FRESH_BATCH_DOUBLING = 2;

  /**
   * Full batches a pass over the table must hold for fresh heads to start on half batches for one
   * pass rather than rise from quarter ones: between the 19 and the 190 of the two sizes measured
   * ({@link #FRESH_BATCH_DOUBLING}).
   */
  static final int FEW_STEPS = 64;

  /**
   * Full batches a pass must hold at least for fresh heads to start on smaller ones: the demo's
   * 1,600 videos (2 batches a pass) ended at GAP@20 0.7851 with them against 0.7917 without (a
   * bound between those 2 and the 19 of 20,000 videos, where they helped).
   */
  static final int MIN_RISING_STEPS = 8;

  /** How the batches of Stage 1's Adam passes start ({@link Batches#batch}). */
  enum Batches {
    /** The stage's batch from the first pass (heads that start trained; tables of few batches). */
    FULL,
    /** A quarter of it, doubled every {@link #FRESH_BATCH_DOUBLING} passes up to it. */
    RISING,
    /** Half of it in the first pass, then all of it. */
    HALF_FIRST;

    /** For fresh heads on a table of {@code tableRows} embeddings (-1: not known) in batches of {@code batchSize}. */
    static Batches forFreshHeads(long tableRows, int batchSize) {
      if (tableRows < (long) MIN_RISING_STEPS * batchSize) {
        return FULL;
      }
      return tableRows < (long) FEW_STEPS * batchSize ? RISING : HALF_FIRST;
    }

    /** The batch of Adam pass {@code pass} (from 0) for a stage batch of {@code batchSize} (at least 1 video). */
    int batch(int batchSize, int pass) {
      long batch = switch (this) {
        case FULL -> batchSize;
        case RISING -> (long) Math.max(1, batchSize / 4) << Math.min(2, pass / FRESH_BATCH_DOUBLING);
        case HALF_FIRST -> pass == 0 ? Math.max(1, batchSize / 2) : batchSize;
      };
      return (int) Math.min(batchSize, batch);
    }

    /** The learning rate of Adam pass {@code pass} (from 0), as a factor of Stage 1's ({@link #FRESH_RATE_BOOST}). */
    double rate(int pass) {
      return this == RISING && pass < BOOSTED_PASSES ? FRESH_RATE_BOOST : 1;
    }
  }

  /**
   * Fresh heads' first {@link #BOOSTED_PASSES} passes on rising batches ({@link Batches#RISING})
   * step at Stage 1's learning rate times this: heads far from any optimum take larger steps, and
   * the held-out decay ({@link #HELD_OUT_DECAY}) anneals what they overshoot. Heads on the features,
   * 300 classes of 8 experts, synth videos (up to 8 modes a class), lr 0.03, 24 class groups, one
   * run each (AMD Zen 4, 2 cores), 20,000 videos, GAP@20 after pass 3 and at the end: without it
   * 0.8469 and 0.8683; 1.5 for 2 passes 0.8567 and 0.8675; 1.5 for 1 pass 0.8532 and 0.8674; 1.5
   * for 4 passes 0.8534 and 0.8666; 2 for 1 pass 0.8541 and 0.8660; 2 for 2 passes 0.8597 and
   * 0.8654; lr 0.045 throughout 0.8534 and 0.8663; with the default 11 groups, 1.5 for 2 passes
   * ended at 0.8681 against 0.8686. At 200,000 videos ({@link Batches#HALF_FIRST})
   * 1.5 for 2 passes scored 0.8897 after the first against 0.8935 and ended at 0.9114 against
   * 0.9118: the larger tables' passes take the stage's rate.
   */
  static final double FRESH_RATE_BOOST = 1.5;

  /** Passes of fresh heads at the {@link #FRESH_RATE_BOOST boosted} rate. */
  static final int BOOSTED_PASSES = 2;

  /**
   * The relative fall of the held-out loss below the last gain that counts as a new gain, for the
   * patience (the best pass is still the lowest, and any pass that is not a new best lowers the
   * rate). Without it, falls of a few parts in 10,000 kept groups running: at 200,000 videos (300
   * classes, 4 experts) Stage 1 ran 27 passes in 209 s to GAP 0.9078; with 1e-3, 18.5 passes in
   * 144 s to 0.9077. At 20,000 videos 1e-3 gave 0.8647 in 21.1 s, 3e-3 0.8636 in 17.4 s; on the
   * demo's 1,600 videos, 1e-3 gave 0.8013 and 0 gave 0.8010.
   */
  static final double GAIN_TOLERANCE = 1e-3;

  /**
   * The share of a task's columns that frozen class groups must hold before Stage 1's Adam drops
   * them from its GEMMs (a rebuild copies the parameters and moments of the classes left).
   */
  static final double COMPACT_SHARE = 0.2;

  /**
   * Heads grown from smaller ones ({@link MoeHeads#growClass}) tell the copies of an expert apart
   * by steps of at most this many times {@link MoeHeads#initBound()} per weight.
   */
  static final double GROWTH_JITTER = 0.1;

  private final TrainConfig config;
  /** Told of every Adam pass where the groups run in this JVM; not sent with the tasks (null there). */
  private final transient PassObserver observer;
  /** Told of the groups done, Adam's passes and L-BFGS's iterations in this JVM; null in a cluster's tasks. */
  private final transient ProgressSink progress;

  /**
   * Sees a class group's heads after each of its Adam passes, in the thread that trains the group
   * (the local engine's groups run in this JVM; on Spark they run in executors and are not seen).
   */
  @FunctionalInterface
  public interface PassObserver {
    /** Pass {@code pass} (from 1) of the group of {@code classes} ended with {@code params}, not to be kept. */
    void passDone(int[] classes, int pass, float[] params);
  }

  public HeadStage(TrainConfig config) {
    this(config, null);
  }

  public HeadStage(TrainConfig config, PassObserver observer) {
    this(config, observer, ProgressSink.NONE);
  }

  /** As above, telling {@code progress} the class groups done (and within them, the passes or iterations). */
  public HeadStage(TrainConfig config, PassObserver observer, ProgressSink progress) {
    this.config = config;
    this.observer = observer;
    this.progress = progress;
  }

  /** What a group task produced. */
  /**
   * What a group task produced; {@code passes} is the work done in whole passes over the group's
   * heads (each pass counted by the share of the group's columns still training in it).
   */
  public record GroupResult(int[] classes, float[] params, OptimizationResult optimization, double passes,
      int keptGroups) implements java.io.Serializable {}

  /**
   * The model with fresh, trained heads; {@code positives} decides the experts per class. The loss
   * is the sum of the groups' final objectives: the mean over videos of the loss summed over all
   * classes, plus the heads' L2 penalty. The optimization summary sums the groups' iterations and
   * evaluations (for Adam: steps and passes over the table) and gives the first group's stop reason.
   */
  public StageResult run(Engine engine, VideoModel model, EmbeddingSource table, long[] positives, int round) {
    return run(engine, model, table, -1, positives, round);
  }

  /**
   * As above, for a table of {@code tableRows} embeddings (-1 if not known): it decides how
   * fresh heads' first passes take smaller batches ({@link Batches#forFreshHeads}).
   */
  public StageResult run(Engine engine, VideoModel model, EmbeddingSource table, long tableRows, long[] positives,
      int round) {
    Batches fresh = Batches.forFreshHeads(tableRows, config.batchSize());
    ExpertAllocation allocation = config.heads().allocate(positives);
    List<int[]> groups = ClassGroups.balance(allocation.expertsPerClass(), config.headGroupsFor(allocation));
    List<GroupTask> tasks = config.headOptimizer() == TrainConfig.HeadOptimizer.ADAM
        ? GroupTask.scheduled(groups, allocation, ClassGroups.scheduledCount(allocation, engine.parallelism()))
        : GroupTask.each(groups);
    List<GroupResult> results;
    progress().begin("round " + round + " heads", groups.size(), "groups");
    // The task carries this stage (its config), the allocations, the embedding source and the
    // engine's spare threads: all serializable.
    SpareThreads spare = engine.spareThreads();
    if (config.continueHeads()) {
      ExpertAllocation from = model.allocation();
      try (Engine.Shared<float[]> previous = engine.shareArray(model.headParams())) {
        results = engine.mapItems(tasks, t -> trainGroup(allocation, t.classes(), t.groupOf(), table, round,
            new StartHeads(from, previous.get()), spare, Batches.FULL));
      }
    } else {
      results = engine.mapItems(tasks, t -> trainGroup(allocation, t.classes(), t.groupOf(), table, round, null,
          spare, fresh));
    }
    progress().end();
    MoeHeads heads = new MoeHeads(table.dim(), allocation);
    float[] full = heads.newParams();
    double loss = 0;
    int iterations = 0;
    int evaluations = 0;
    double passes = 0;
    int kept = 0;
    for (GroupResult r : results) {
      kept += r.keptGroups();
      MoeHeads group = heads.select(r.classes());
      heads.scatter(group, r.params(), r.classes(), full);
      loss += r.optimization().loss();
      iterations += r.optimization().iterations();
      evaluations += r.optimization().evaluations();
      passes += r.passes() * columns(group.allocation()) / columns(allocation);
    }
    String remark = kept == 0 ? null : String.format(java.util.Locale.ROOT, "%d of %d class groups kept the heads "
        + "they started from (the model's, grown to %d experts a class at most): no pass lowered their held-out loss",
        kept, groups.size(), allocation.maxExperts());
    return new StageResult(model.withHeads(allocation, full), loss, new OptimizationResult(loss, iterations,
        evaluations, results.isEmpty() ? StopReason.MAX_ITERATIONS : results.get(0).optimization().reason()), passes,
        remark);
  }

  /** Where this JVM's progress goes: nowhere in a cluster's task, which has no sink. */
  private ProgressSink progress() {
    return progress != null ? progress : ProgressSink.NONE;
  }

  private static long columns(ExpertAllocation a) {
    return (long) a.totalExperts() + a.totalGates();
  }

  /**
   * A task of Stage 1: the classes of one or more class groups, trained together in one set of
   * GEMMs; {@code groupOf[i]} numbers the group of {@code classes[i]} within the task (from 0).
   * With Adam, each group keeps its own best pass, learning rate and patience, so which groups share
   * a task is a matter of scheduling alone.
   */
  record GroupTask(int[] classes, int[] groupOf) implements java.io.Serializable {
    /** One task per group. */
    static List<GroupTask> each(List<int[]> groups) {
      List<GroupTask> tasks = new java.util.ArrayList<>();
      for (int[] g : groups) {
        tasks.add(new GroupTask(g, new int[g.length]));
      }
      return tasks;
    }

    /** The groups spread over at most {@code count} tasks of about equal cost (experts of their classes). */
    static List<GroupTask> scheduled(List<int[]> groups, ExpertAllocation allocation, int count) {
      int[] cost = new int[groups.size()];
      for (int g = 0; g < cost.length; g++) {
        for (int c : groups.get(g)) {
          cost[g] += allocation.experts(c);
        }
      }
      List<GroupTask> tasks = new java.util.ArrayList<>();
      for (int[] members : ClassGroups.balance(cost, Math.min(count, Math.max(1, groups.size())))) {
        java.util.TreeMap<Integer, Integer> groupOfClass = new java.util.TreeMap<>();
        for (int i = 0; i < members.length; i++) {
          for (int c : groups.get(members[i])) {
            groupOfClass.put(c, i);
          }
        }
        tasks.add(new GroupTask(groupOfClass.keySet().stream().mapToInt(Integer::intValue).toArray(),
            groupOfClass.values().stream().mapToInt(Integer::intValue).toArray()));
      }
      return tasks;
    }
  }

  /** Trains the fresh heads of one class group over the whole table. */
  public GroupResult trainGroup(ExpertAllocation full, int[] classes, EmbeddingSource table, int round) {
    return trainGroup(full, classes, new int[classes.length], table, round, null, SpareThreads.NONE, Batches.FULL);
  }

  /** The heads a stage starts from: the model's, of allocation {@code allocation}, all classes. */
  record StartHeads(ExpertAllocation allocation, float[] params) implements java.io.Serializable {}

  /**
   * Trains the heads of the classes of one task, {@code classes[i]} in its group {@code groupOf[i]}
   * (Adam stops each group on its own; L-BFGS takes the task as one group), borrowing {@code spare}
   * threads when other tasks have left them idle, on {@code batches} ({@link Batches#batch}; {@link Batches#FULL}
   * for heads that start trained).
   */
  GroupResult trainGroup(ExpertAllocation full, int[] classes, int[] groupOf, EmbeddingSource table, int round,
      StartHeads start, SpareThreads spare, Batches batches) {
    MoeHeads fullHeads = new MoeHeads(table.dim(), full);
    MoeHeads heads = fullHeads.select(classes);
    float[] params = heads.newParams();
    if (start != null && start.allocation().equals(full)) {
      fullHeads.gather(start.params(), classes, heads, params);
    } else if (start != null) {
      MoeHeads from = new MoeHeads(table.dim(), start.allocation());
      for (int i = 0; i < classes.length; i++) {
        heads.growClass(from, start.params(), classes[i], params, i, Seeds.stream(config.seed(), STAGE, round,
            classes[i]), GROWTH_JITTER);
      }
    } else {
      for (int i = 0; i < classes.length; i++) {
        heads.initializeClass(params, i, Seeds.stream(config.seed(), STAGE, round, classes[i]));
      }
    }
    int[] local = new int[full.numClasses()];
    Arrays.fill(local, -1);
    for (int i = 0; i < classes.length; i++) {
      local[classes[i]] = i;
    }
    double lambda = config.heads().l2();
    if (config.headOptimizer() == TrainConfig.HeadOptimizer.ADAM) {
      double[] passes = {0};
      int[] kept = {0};
      OptimizationResult r = adam(heads, params, local, table, classes, groupOf, passes, kept, spare, start != null,
          batches);
      progress().advance(Arrays.stream(groupOf).max().orElse(-1) + 1); // the task's groups
      return new GroupResult(classes, params, r, passes[0], kept[0]);
    }
    int chunk = config.chunkRows();
    MoeHeads.Scratch scratch = heads.newWorkerScratch(spare); // the groups run at once: see newWorkerScratch
    DifferentiableFunction objective = (x, grad) -> {
      Arrays.fill(grad, 0f);
      double[] loss = {0};
      long[] videos = {0};
      table.forEachChunk(chunk, (emb, rows, labels, offsets, keys) -> {
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
    OptimizationResult r = new Lbfgs(config.lbfgs()).minimize(objective, params,
        (iteration, loss) -> progress().iteration("L-BFGS iteration", iteration, loss));
    progress().advance(1);
    return new GroupResult(classes, params, r, r.evaluations(), 0);
  }

  /**
   * Mini-batch Adam over the embeddings: {@link TrainConfig#headEpochs} passes, or more when they
   * would take fewer than {@link #MIN_ADAM_STEPS} steps at the full batch, each pass in the
   * source's order, one step per batch of {@link TrainConfig#batchSize} videos (smaller in fresh
   * heads' first passes: {@link Batches#batch}, some at a higher rate: {@link Batches#rate}) on their mean
   * loss and the L2 penalty on the weights.
   *
   * <p>With a held-out slice ({@link TrainConfig#pretrainHoldout}: the videos pre-training holds
   * out, by id), those videos are not trained on, and each class group of the task
   * ({@code groupOf}) stops on its own held-out loss, summed over its classes as each pass goes
   * (the held-out rows scored a batch of them at a time, with the heads of that moment, and the
   * last at the pass's end) ({@link GroupStopping}): a group keeps the heads of its best pass; each pass that is not its
   * best multiplies its learning rate by {@link #HELD_OUT_DECAY}; after
   * {@link TrainConfig#pretrainPatience} passes without a gain it is frozen, and once frozen groups
   * hold {@link #COMPACT_SHARE} of the task's columns they leave its GEMMs. The task ends when all
   * its groups are frozen. No decision looks beyond one group, so the heads do not depend on which
   * groups share a task. The result's loss is the sum over classes of their training loss in their
   * group's best pass, plus the penalty; its iterations are the Adam steps, its evaluations the
   * passes over the table, and {@code work} receives the passes weighted by the share of the
   * columns still training in each (the scoring of heads that start trained, half a pass).
   */
  private OptimizationResult adam(MoeHeads heads, float[] params, int[] local, EmbeddingSource table,
      int[] classes, int[] groupOf, double[] work, int[] kept, SpareThreads spare, boolean scoreStart,
      Batches batches) {
    float l2 = config.heads().l2();
    MoeHeads.Scratch scratch = heads.newWorkerScratch(spare); // the groups run at once: see newWorkerScratch
    boolean stopping = config.pretrainHoldout() > 0;
    java.util.function.LongPredicate heldOut = Pretrain.heldOut(config);
    RowSplit split = new RowSplit(table.dim());
    int k = classes.length;
    double[] trainClass = new double[k];
    double[] heldClass = new double[k];
    double[] bestTrain = new double[k];
    long[] trainVideos = {0};
    long[] heldVideos = {0};
    int[] steps = {0};
    int groups = Arrays.stream(groupOf).max().orElse(-1) + 1;
    double[] heldGroup = new double[groups];
    GroupStopping stoppingGroups = new GroupStopping(groups, config.pretrainPatience(), GAIN_TOLERANCE);
    boolean[] improved = new boolean[groups];
    float[] groupRate = new float[groups];
    Arrays.fill(groupRate, 1f);
    float[] best = stopping ? params.clone() : params;
    ActiveHeads active = new ActiveHeads(heads, params, local, config.adam());
    boolean offered = false;
    int first = 0;
    if (stopping && scoreStart) {
      // Heads that start trained (grown or continued) are a candidate too, scored as pass 0: a group
      // that no pass improves keeps them (best holds them already).
      scoreOnly(active, table, split, heldOut, scratch, trainVideos, heldVideos);
      work[0] += 0.5; // its two forward GEMMs, of a pass's four (two more give the weights' gradient)
      active.drainLosses(trainClass, heldClass);
      if (heldVideos[0] > 0) {
        offered = true;
        first = 1;
        offerHeldOut(stoppingGroups, 0, heldClass, groupOf, heldGroup, improved);
        double perVideo = 1.0 / Math.max(1, trainVideos[0]);
        for (int c = 0; c < k; c++) {
          bestTrain[c] = trainClass[c] * perVideo;
        }
      }
    }
    int epochs = config.headEpochs();
    int passes = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      passes++;
      Arrays.fill(trainClass, 0);
      Arrays.fill(heldClass, 0);
      trainVideos[0] = 0;
      heldVideos[0] = 0;
      ActiveHeads a = active;
      double passRate = batches.rate(epoch);
      work[0] += (double) columns(a.heads.allocation()) / columns(heads.allocation());
      table.forEachChunk(batches.batch(config.batchSize(), epoch), (emb, rows, labels, offsets, keys) -> {
        GroupLabels g = GroupLabels.of(labels, offsets, rows, a.local);
        float[] e = emb;
        int n = rows;
        int[] gl = g.labels;
        int[] go = g.offsets;
        if (stopping) {
          split.split(emb, rows, g.labels, g.offsets, keys, heldOut);
          split.scoreHeldWhenFull(config.batchSize(), held -> score(a, held, scratch, a.held, heldVideos));
          e = split.train.emb;
          n = split.train.rows;
          gl = split.train.labels;
          go = split.train.offsets;
        }
        if (n == 0) {
          return;
        }
        a.heads.lossAndGradient(a.params, e, n, gl, go, a.grad, scratch, a.train);
        trainVideos[0] += n;
        Adam.Step step = a.adam.beginStep(passRate);
        for (TensorRef t : a.heads.tensors()) {
          step.update(a.params, a.grad, t.offset(), t.offset() + t.size(), 1f / n, a.heads.penalized(t) ? l2 : 0f,
              a.rate);
        }
        steps[0]++;
      });
      if (stopping) {
        split.scoreHeld(held -> score(a, held, scratch, a.held, heldVideos));
      }
      a.drainLosses(trainClass, heldClass);
      if (epoch == 0 && steps[0] > 0) {
        // the steps of a pass at the full batch (the first passes of fresh heads take smaller ones)
        long fullSteps = Math.max(1, (trainVideos[0] + heldVideos[0] + config.batchSize() - 1) / config.batchSize());
        epochs = (int) Math.max(epochs, (MIN_ADAM_STEPS + fullSteps - 1) / fullSteps);
      }
      double perVideo = 1.0 / Math.max(1, trainVideos[0]);
      if (stopping && heldVideos[0] > 0) {
        offered = true;
        offerHeldOut(stoppingGroups, epoch + first, heldClass, groupOf, heldGroup, improved);
        for (int g = 0; g < groups; g++) {
          if (stoppingGroups.done(g) || !improved[g]) {
            groupRate[g] = stoppingGroups.done(g) ? 0f : (float) (groupRate[g] * HELD_OUT_DECAY);
          }
        }
        for (int i = 0; i < a.members.length; i++) {
          int c = a.members[i];
          int g = groupOf[c];
          if (improved[g]) {
            a.heads.copyClassTo(a.params, i, heads, best, c);
            bestTrain[c] = trainClass[c] * perVideo;
          }
          if (stoppingGroups.done(g) || !improved[g]) {
            a.heads.fillClass(a.rate, i, groupRate[g]);
          }
        }
      } else {
        for (int c = 0; c < k; c++) {
          bestTrain[c] = trainClass[c] * perVideo;
        }
      }
      if (!offered) {
        a.writeBack(heads, params);
      }
      PassObserver seen = observer;
      if (seen != null) {
        seen.passDone(classes, passes, offered ? best : params);
      }
      progress().iteration("Adam pass", passes, Double.NaN);
      if (offered && stoppingGroups.allDone()) {
        break;
      }
      if (offered) {
        active = a.withoutDone(c -> stoppingGroups.done(groupOf[c]));
      }
    }
    if (offered) {
      System.arraycopy(best, 0, params, 0, params.length);
    } else {
      active.writeBack(heads, params);
    }
    double trainLoss = 0;
    for (double l : bestTrain) {
      trainLoss += l;
    }
    double penalty = heads.l2(params, l2, new float[params.length]);
    for (int g = 0; g < groups && first == 1; g++) {
      kept[0] += stoppingGroups.bestPass(g) == 0 ? 1 : 0;
    }
    return new OptimizationResult(trainLoss + penalty, steps[0], passes,
        offered && stoppingGroups.allDone() ? StopReason.LOSS_CHANGE : StopReason.MAX_ITERATIONS);
  }

  /** Offers pass {@code e}'s held-out loss of each group, the sum of its classes' ({@code heldClass}). */
  private static void offerHeldOut(GroupStopping stopping, int e, double[] heldClass, int[] groupOf, double[] heldGroup,
      boolean[] improved) {
    Arrays.fill(heldGroup, 0);
    for (int c = 0; c < heldClass.length; c++) {
      heldGroup[groupOf[c]] += heldClass[c];
    }
    stopping.offer(e, heldGroup, improved);
  }

  /**
   * One pass of {@code a}'s heads over the table without a step: the loss of every class on the
   * training rows and on the held-out rows, into {@code a}'s per-class sums, and the rows of each.
   */
  private void scoreOnly(ActiveHeads a, EmbeddingSource table, RowSplit split, java.util.function.LongPredicate heldOut,
      MoeHeads.Scratch scratch, long[] trainVideos, long[] heldVideos) {
    trainVideos[0] = 0;
    heldVideos[0] = 0;
    table.forEachChunk(config.batchSize(), (emb, rows, labels, offsets, keys) -> {
      GroupLabels g = GroupLabels.of(labels, offsets, rows, a.local);
      split.split(emb, rows, g.labels, g.offsets, keys, heldOut);
      split.scoreHeldWhenFull(config.batchSize(), held -> score(a, held, scratch, a.held, heldVideos));
      score(a, split.train, scratch, a.train, trainVideos);
    });
    split.scoreHeld(held -> score(a, held, scratch, a.held, heldVideos));
  }

  /** Adds each class's loss over {@code rows} (no gradient) to {@code classLoss}, and their count to {@code videos}. */
  private static void score(ActiveHeads a, Rows rows, MoeHeads.Scratch scratch, double[] classLoss, long[] videos) {
    if (rows.rows > 0) {
      a.heads.lossAndBackward(a.params, rows.emb, rows.rows, rows.labels, rows.offsets, null, null, scratch, classLoss);
      videos[0] += rows.rows;
    }
  }

  /**
   * The classes of a task still training, as heads of their own with their parameters, Adam
   * moments and per-parameter rates: once the classes whose group is frozen at its best pass hold
   * {@link #COMPACT_SHARE} of the columns, they are dropped, and the passes that follow run
   * narrower GEMMs over the rest.
   */
  private static final class ActiveHeads {
    /** The task's indices of the classes held, ascending. */
    final int[] members;
    final MoeHeads heads;
    final float[] params;
    final float[] grad;
    final float[] rate;
    final Adam adam;
    /** Global class index to its place here, or -1. */
    final int[] local;
    final double[] train;
    final double[] held;

    ActiveHeads(MoeHeads group, float[] params, int[] groupLocal, org.vidar.optim.AdamConfig adamConfig) {
      this(identity(group.numClasses()), group, params.clone(), groupLocal.clone(), new Adam(adamConfig, params.length),
          ones(params.length));
    }

    private ActiveHeads(int[] members, MoeHeads heads, float[] params, int[] local, Adam adam, float[] rate) {
      this.members = members;
      this.heads = heads;
      this.params = params;
      this.grad = new float[params.length];
      this.rate = rate;
      this.adam = adam;
      this.local = local;
      this.train = new double[members.length];
      this.held = new double[members.length];
    }

    private static int[] identity(int n) {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) {
        a[i] = i;
      }
      return a;
    }

    private static float[] ones(int n) {
      float[] a = new float[n];
      Arrays.fill(a, 1f);
      return a;
    }

    /** Moves this pass's per-class losses into the task's arrays (by the task's index) and clears them. */
    void drainLosses(double[] groupTrain, double[] groupHeld) {
      for (int i = 0; i < members.length; i++) {
        groupTrain[members[i]] = train[i];
        groupHeld[members[i]] = held[i];
      }
      Arrays.fill(train, 0);
      Arrays.fill(held, 0);
    }

    /** Copies the held classes' parameters into the task's array {@code to} (of {@code group}'s layout). */
    void writeBack(MoeHeads group, float[] to) {
      for (int i = 0; i < members.length; i++) {
        heads.copyClassTo(params, i, group, to, members[i]);
      }
    }

    /** These heads without the classes that are {@code done}, when they hold enough columns to pay for it. */
    ActiveHeads withoutDone(java.util.function.IntPredicate done) {
      long doneColumns = 0;
      int keep = 0;
      for (int i = 0; i < members.length; i++) {
        if (done.test(members[i])) {
          doneColumns += 2L * heads.allocation().experts(i) + 1;
        } else {
          keep++;
        }
      }
      long all = columns(heads.allocation());
      if (keep == 0 || doneColumns < COMPACT_SHARE * all) {
        return this;
      }
      int[] kept = new int[keep];
      int[] keptMembers = new int[keep];
      keep = 0;
      for (int i = 0; i < members.length; i++) {
        if (!done.test(members[i])) {
          kept[keep] = i;
          keptMembers[keep++] = members[i];
        }
      }
      MoeHeads narrow = heads.select(kept);
      float[] p = narrow.newParams();
      float[] m = narrow.newParams();
      float[] v = narrow.newParams();
      float[] r = narrow.newParams();
      heads.gather(params, kept, narrow, p);
      heads.gather(rate, kept, narrow, r);
      org.vidar.optim.AdamState state = adam.state();
      float[] fm = new float[params.length];
      float[] fv = new float[params.length];
      state.firstMoment().get(fm);
      state.secondMoment().get(fv);
      heads.gather(fm, kept, narrow, m);
      heads.gather(fv, kept, narrow, v);
      int[] narrowLocal = new int[local.length];
      Arrays.fill(narrowLocal, -1);
      for (int c = 0; c < local.length; c++) {
        if (local[c] >= 0 && !done.test(members[local[c]])) {
          narrowLocal[c] = Arrays.binarySearch(keptMembers, members[local[c]]);
        }
      }
      Adam narrowAdam = new Adam(adam.config(), org.vidar.optim.AdamState.restore(m, v, state.step()));
      return new ActiveHeads(keptMembers, narrow, p, narrowLocal, narrowAdam, r);
    }
  }

  /** A chunk's rows cut into those trained on and those held out, each as its own compact chunk. */
  private static final class RowSplit {
    final Rows train;
    /** The held-out rows of the chunks split since they were last scored. */
    final Rows held;

    RowSplit(int dim) {
      train = new Rows(dim);
      held = new Rows(dim);
    }

    /** A chunk's training rows into {@link #train}, replacing the last chunk's; its held-out rows added to {@link #held}. */
    void split(float[] emb, int rows, int[] labels, int[] offsets, long[] keys,
        java.util.function.LongPredicate heldOut) {
      train.clear(rows);
      held.reserve(held.rows + rows);
      for (int r = 0; r < rows; r++) {
        (heldOut.test(keys[r]) ? held : train).add(emb, r, labels, offsets[r], offsets[r + 1]);
      }
    }

    /**
     * Scores the held-out rows gathered so far once there are {@code rows} of them: a chunk holds a
     * few (5 % of 512), and a GEMM of so few rows packs the heads' whole weights for them. Scored
     * chunk by chunk, the held-out rows took 7 % of Stage 1's thread time on 20,000 videos (heads
     * on the features, batch 512), more than the Adam steps.
     */
    void scoreHeldWhenFull(int rows, java.util.function.Consumer<Rows> score) {
      if (held.rows >= rows) {
        scoreHeld(score);
      }
    }

    /** Scores the held-out rows gathered so far, if any (at the end of a pass), and clears them. */
    void scoreHeld(java.util.function.Consumer<Rows> score) {
      if (held.rows > 0) {
        score.accept(held);
      }
      held.clear(0);
    }
  }

  /** Compact rows of a chunk: embeddings, labels as compressed rows. */
  private static final class Rows {
    private final int dim;
    float[] emb = new float[0];
    int[] labels = new int[0];
    int[] offsets = new int[1];
    int rows;

    Rows(int dim) {
      this.dim = dim;
    }

    void clear(int capacity) {
      if (emb.length < (long) capacity * dim) {
        emb = new float[capacity * dim];
        offsets = new int[capacity + 1];
      }
      rows = 0;
      offsets[0] = 0;
    }

    /** Room for {@code capacity} rows, keeping those held. */
    void reserve(int capacity) {
      if (emb.length < (long) capacity * dim) {
        emb = Arrays.copyOf(emb, capacity * dim);
      }
      if (offsets.length < capacity + 1) {
        offsets = Arrays.copyOf(offsets, capacity + 1);
      }
    }

    void add(float[] src, int r, int[] srcLabels, int from, int to) {
      System.arraycopy(src, r * dim, emb, rows * dim, dim);
      int n = offsets[rows];
      if (labels.length < n + (to - from)) {
        labels = Arrays.copyOf(labels, Math.max(2 * labels.length, n + (to - from)));
      }
      System.arraycopy(srcLabels, from, labels, n, to - from);
      offsets[++rows] = n + (to - from);
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
