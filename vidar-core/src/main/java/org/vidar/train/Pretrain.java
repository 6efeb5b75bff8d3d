package org.vidar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;
import org.vidar.data.FeatureSpec;
import org.vidar.data.ProgressSink;
import org.vidar.data.Seeds;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.PretrainData;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.inference.ModelEvaluation;
import org.vidar.math.SpareThreads;
import org.vidar.model.ModelConfig;
import org.vidar.model.Trunk;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.TensorRef;
import org.vidar.optim.Adam;

/**
 * Joint pre-training: trunk and small heads trained together by mini-batch Adam over shuffled
 * videos (batch normalization on batch statistics). It gives the trunk the alternating rounds
 * start from.
 *
 * <p>A mini-batch is cut into parts of at most {@link #PART_ROWS} videos and at least two
 * ({@link #parts}). The trunk runs the parts on the cores at once (forward and backward each in a
 * thread, its gradients summed in part order); between its forward and backward passes the heads
 * run on the whole batch, their GEMMs cut into as many column blocks as there are parts and their
 * element-wise pass into fixed chunks of rows, shared over the same threads. So the result
 * depends on the batch size, never on the number of threads (the kernels in use, SIMD or plain,
 * still round differently). The optimizer step, summing the trunk parts' gradients, averaging,
 * the L2 penalty and Adam, is one fused pass over the parameters, in blocks spread over the same
 * threads; with {@link TrainConfig#pretrainClip} it is two, the sums and each tensor's norm
 * first, then the clipped step. Batch normalization normalizes each part by its own statistics
 * (ghost batches, as data-parallel TensorFlow does per replica), and moves its running statistics
 * by each part's in part order after the parts ran. At the frame level a part holds a quarter of
 * {@link #PART_ROWS} videos ({@link #partVideos}).
 *
 * <p>With {@link TrainConfig#pretrainHoldout} above 0, the training videos whose id hashes below
 * that fraction are left out of the batches, and up to {@link #MAX_HELD_OUT} of them are scored
 * (GAP@20) after every epoch: pre-training stops once {@link TrainConfig#pretrainPatience} epochs
 * in a row did not improve on the best, and ends with the best epoch's model.
 */
public final class Pretrain {
  private static final long STAGE = 0;
  /** The random stream that picks the held-out videos (by video id, so every engine picks the same). */
  private static final long HOLDOUT_STREAM = 100;
  /** Held-out videos scored at most: enough for a steady GAP, few enough to hold in memory. */
  public static final int MAX_HELD_OUT = 10_000;
  /**
   * Videos in a part of a mini-batch: enough rows that each part's GEMMs run near the BLAS's peak
   * (on 2 cores, parts of 512 ran epochs 10 to 16 % faster than parts of 256, with the same losses).
   * It fixes the parts, not the cores: a batch of 1024 runs on 2 threads at most, on any machine.
   */
  static final int PART_ROWS = 512;

  /**
   * Videos in a part: {@code partRows}, or a quarter of them at the frame level, where a video is
   * {@link TrainConfig#sampleFrames} rows of the per-frame layer (128 videos of 32 frames: 4,096
   * rows, and a batch of 256 on 2 cores).
   */
  static int partVideos(int partRows, FeatureSpec.Level level) {
    return level == FeatureSpec.Level.FRAME ? Math.max(1, partRows / 4) : partRows;
  }
  /**
   * The parts of a batch: of at most {@code partVideos} videos, and at least two (when the batch
   * has two videos), so that a batch no longer than a part still runs on two cores. With a single
   * part, batches of 512 (the video level's part) ran on one core: epochs took 1.45 s against 0.8 s
   * at batch 1024 (20,000 videos, MLP trunk of 1,024 units), though they reached every GAP in fewer.
   * A function of the batch alone, as the results must not depend on the threads.
   */
  static int parts(int batchSize, int partVideos) {
    return Math.max((batchSize + partVideos - 1) / partVideos, Math.min(2, batchSize));
  }

  /** Parameters per block of the optimizer step: the block's arrays stay in the core's cache. */
  private static final int BLOCK = 1 << 14;
  private final TrainConfig config;
  private final int maxThreads;
  private final int partRows;
  private final ProgressSink progress;

  /** Pre-training on every core of this machine. */
  public Pretrain(TrainConfig config) {
    this(config, ProgressSink.NONE);
  }

  /** Pre-training on every core of this machine, telling {@code progress} the batches of each epoch. */
  public Pretrain(TrainConfig config, ProgressSink progress) {
    this(config, Runtime.getRuntime().availableProcessors(), PART_ROWS, progress);
  }

  /** On at most {@code maxThreads} threads with parts of at most {@code partRows} videos (for tests). */
  Pretrain(TrainConfig config, int maxThreads, int partRows) {
    this(config, maxThreads, partRows, ProgressSink.NONE);
  }

  private Pretrain(TrainConfig config, int maxThreads, int partRows, ProgressSink progress) {
    if (maxThreads < 1 || partRows < 1) {
      throw new IllegalArgumentException("maxThreads and partRows must be >= 1, got " + maxThreads + ", "
          + partRows);
    }
    this.config = config;
    this.maxThreads = maxThreads;
    this.partRows = partRows;
    this.progress = progress;
  }

  /**
   * Called after every epoch with the model so far, the epoch's mean training loss, and the
   * seconds spent training so far (the listener's own time not counted).
   */
  @FunctionalInterface
  public interface EpochListener {
    void epochDone(int epoch, StageResult result, double seconds);

    /**
     * After the first epoch, when videos are held out: the videos each epoch trains on, and those
     * held out and scored (at most {@link #MAX_HELD_OUT}; the other held-out videos are not used).
     */
    default void heldOut(long trained, int scored) {}
  }

  /** A model initialized from the seed and trained for the configured epochs on an in-memory dataset. */
  public StageResult run(VideoDataset data, ModelConfig modelConfig) {
    try {
      return run(new InMemoryPretrainData(data), modelConfig, (e, r, s) -> { });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A model initialized from the seed and trained for the configured epochs; the loss is the mean
   * training loss of the epoch whose model is returned (the last, or the best on the held-out
   * videos; NaN without epochs).
   */
  public StageResult run(PretrainData data, ModelConfig modelConfig) throws IOException {
    return run(data, modelConfig, (e, r, s) -> { });
  }

  /** As above, telling {@code listener} after every epoch. */
  public StageResult run(PretrainData data, ModelConfig modelConfig, EpochListener listener) throws IOException {
    VideoModel init = initialModel(modelConfig);
    ExpertAllocation allocation = init.allocation();
    float[] tp = init.trunkParams().clone();
    float[] hp = init.headParams().clone();
    Trunk trunk = init.trunk();
    MoeHeads heads = init.heads();
    int parts = parts(config.batchSize(), partVideos(partRows, data.level()));
    int partVideos = (config.batchSize() + parts - 1) / parts;
    int threads = Math.max(1, Math.min(parts, maxThreads));
    Part[] work = new Part[parts];
    for (int i = 0; i < parts; i++) {
      work[i] = new Part(trunk, tp.length, data);
    }
    WholeBatch whole = new WholeBatch(heads, hp.length, new LentThreads(parts, threads - 1), trunk.outputDim(),
        tp.length > 0);
    Adam trunkAdam = new Adam(config.adam(), tp.length);
    Adam headAdam = new Adam(config.adam(), hp.length);
    List<Block> blocks = new ArrayList<>();
    int tensors = 0;
    float[][] trunkGrads = new float[parts][];
    for (int i = 0; i < parts; i++) {
      trunkGrads[i] = work[i].trunkGrad;
    }
    for (TensorRef t : trunk.layout().tensors()) {
      Block.add(blocks, tp, trunkGrads, true, t, TrunkGradient.penalized(t) ? config.trunkL2() : 0f, tensors++);
    }
    for (TensorRef t : heads.tensors()) {
      Block.add(blocks, hp, new float[][] {whole.headGrad}, false, t,
          heads.penalized(t) ? config.pretrainHeads().l2() : 0f, tensors++);
    }
    // Per-tensor clipping needs a tensor's whole gradient before any of its blocks steps: the parts
    // are summed block by block first, the norms added up per tensor, then the blocks step.
    double clip = config.pretrainClip();
    double[] tensorNorm = new double[tensors];
    float[] tensorFactor = new float[tensors];
    java.util.Arrays.fill(tensorFactor, 1f);
    LongPredicate heldOut = heldOut(config);
    VideoDataset scored = config.pretrainHoldout() > 0 ? data.select(heldOut, MAX_HELD_OUT) : null;
    BestPass best = new BestPass(config.pretrainPatience());
    double lastEpochLoss = Double.NaN;
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread th = new Thread(r, "vidar-pretrain");
      th.setDaemon(true);
      return th;
    });
    try {
      long start = System.nanoTime();
      long listening = 0; // the listener's time (validation, say) is not training time
      // The batches of an epoch: with videos held out (or streamed data), known once the first epoch counted them.
      long batches = data.size() >= 0 && !(config.pretrainHoldout() > 0)
          ? (data.size() + config.batchSize() - 1) / config.batchSize() : 0;
      for (int epoch = 0; epoch < config.pretrainEpochs(); epoch++) {
        double[] epochLoss = {0};
        long[] videos = {0};
        long[] steps = {0};
        progress.begin("pretrain epoch " + (epoch + 1) + "/" + config.pretrainEpochs(), batches, "batches");
        data.epoch(epoch, config.batchSize(), config.seed(), heldOut, batch -> {
          int rows = batch.rows;
          int used = Math.min(parts, Math.max(1, (rows + partVideos - 1) / partVideos));
          float[] emb = whole.embeddings(rows);
          List<Runnable> forwards = new ArrayList<>(used);
          List<Runnable> backwards = new ArrayList<>(used);
          for (int i = 0; i < used; i++) {
            Part part = work[i];
            int from = (int) ((long) rows * i / used);
            int to = (int) ((long) rows * (i + 1) / used);
            forwards.add(() -> part.forward(tp, batch, from, to, used == 1, emb));
            backwards.add(() -> part.backward(tp, whole.dEmb, from));
          }
          runAll(pool, threads, forwards);
          epochLoss[0] += whole.lossAndGradient(hp, batch);
          if (whole.dEmb != null) {
            runAll(pool, threads, backwards);
          }
          for (int i = 0; i < used; i++) {
            trunk.commitStatistics(tp, work[i].trunkScratch);
          }
          Adam.Step trunkStep = trunkAdam.beginStep();
          Adam.Step headStep = headAdam.beginStep();
          float scale = 1f / rows;
          if (clip > 0) {
            List<Runnable> sums = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
              int first = t;
              sums.add(() -> {
                for (int b = first; b < blocks.size(); b += threads) {
                  blocks.get(b).sumParts(used);
                }
              });
            }
            runAll(pool, threads, sums);
            java.util.Arrays.fill(tensorNorm, 0);
            for (Block block : blocks) {
              tensorNorm[block.tensor] += block.squaredNorm;
            }
            for (int t = 0; t < tensorNorm.length; t++) {
              double norm = Math.sqrt(tensorNorm[t]) * scale;
              tensorFactor[t] = norm > clip ? (float) (clip / norm) : 1f;
            }
          }
          List<Runnable> updates = new ArrayList<>(threads);
          for (int t = 0; t < threads; t++) {
            int first = t;
            updates.add(() -> {
              for (int b = first; b < blocks.size(); b += threads) {
                Block block = blocks.get(b);
                if (clip > 0) {
                  block.update(block.trunk ? trunkStep : headStep, scale * tensorFactor[block.tensor]);
                } else {
                  block.apply(block.trunk ? trunkStep : headStep, used, scale);
                }
              }
            });
          }
          runAll(pool, threads, updates);
          videos[0] += rows;
          steps[0]++;
          progress.advance(1);
        });
        progress.end();
        batches = steps[0];
        lastEpochLoss = epochLoss[0] / Math.max(1, videos[0]);
        if (epoch == 0 && scored != null) {
          listener.heldOut(videos[0], scored.size());
        }
        if (scored != null && scored.size() > 0) {
          double gap = heldOutGap(new VideoModel(modelConfig, tp, allocation, hp), scored, config.chunkRows(), pool,
              threads);
          if (!best.offer(epoch, gap, lastEpochLoss, tp, hp) && config.pretrainDecay() != 1) {
            trunkAdam.scaleLearningRate(config.pretrainDecay());
            headAdam.scaleLearningRate(config.pretrainDecay());
          }
        }
        long heard = System.nanoTime();
        listener.epochDone(epoch, new StageResult(new VideoModel(modelConfig, tp.clone(), allocation, hp.clone()),
            lastEpochLoss, null), (heard - start - listening) / 1e9);
        listening += System.nanoTime() - heard;
        if (best.patienceSpent(epoch)) {
          break;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (best.found()) {
      return new StageResult(new VideoModel(modelConfig, best.params(0), allocation, best.params(1)), best.loss(),
          null);
    }
    return new StageResult(new VideoModel(modelConfig, tp, allocation, hp), lastEpochLoss, null);
  }

  /** The model pre-training starts from: drawn from the seed, with {@link TrainConfig#pretrainHeads} experts. */
  VideoModel initialModel(ModelConfig modelConfig) {
    ExpertAllocation allocation = ExpertAllocation.fixed(modelConfig.numClasses(), config.pretrainHeads().maxExperts());
    return VideoModel.initialize(modelConfig, allocation, Seeds.stream(config.seed(), STAGE));
  }

  /** Which videos (by {@link Seeds#videoKey}) pre-training holds out under {@code config}. */
  static LongPredicate heldOut(TrainConfig config) {
    double holdout = config.pretrainHoldout();
    long seed = config.seed();
    return key -> holdout > 0 && Seeds.unit(Seeds.hash(seed, HOLDOUT_STREAM, key)) < holdout;
  }

  /**
   * GAP@20 of {@code model} on the held-out videos, scored by the threads at once, a chunk of
   * videos each in turn, and added to the evaluator in the videos' order (memory: a chunk's
   * probabilities a thread, not every held-out video's).
   */
  static double heldOutGap(VideoModel model, VideoDataset scored, int chunk, ExecutorService pool, int threads) {
    int n = scored.size();
    int k = model.config().numClasses();
    YouTube8mEvaluator evaluator = new YouTube8mEvaluator(k, YouTube8mEvaluator.DEFAULT_TOP_K);
    VideoModel.Scorer[] scorers = new VideoModel.Scorer[threads];
    for (int t = 0; t < threads; t++) {
      scorers[t] = model.newWorkerScorer();
    }
    float[] probs = new float[(int) Math.min(n, (long) threads * chunk) * k];
    for (int first = 0; first < n; first += threads * chunk) {
      int round = first;
      List<Runnable> ranges = new ArrayList<>(threads);
      for (int t = 0; t < threads && round + t * chunk < n; t++) {
        VideoModel.Scorer scorer = scorers[t];
        int from = round + t * chunk;
        int to = Math.min(n, from + chunk);
        ranges.add(() -> ModelEvaluation.score(scorer, scored, from, to, chunk, probs, (from - round) * k));
      }
      runAll(pool, threads, ranges);
      for (int i = round; i < Math.min(n, round + threads * chunk); i++) {
        evaluator.addScores(probs, (i - round) * k, scored.labelsOf(i));
      }
    }
    return evaluator.report().gap();
  }

  /** Runs the tasks, the last on this thread, and waits for all; a task's failure is rethrown. */
  private static void runAll(ExecutorService pool, int threads, List<Runnable> tasks) {
    if (tasks.size() == 1 || threads == 1) {
      tasks.forEach(Runnable::run);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(tasks.size() - 1);
    for (int i = 0; i < tasks.size() - 1; i++) {
      futures.add(pool.submit(tasks.get(i)));
    }
    tasks.get(tasks.size() - 1).run();
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw LocalEngine.failure(e);
    }
  }

  /**
   * One part of a mini-batch: its videos and the trunk's scratch and gradient sums. The trunk runs
   * part by part (batch normalization takes each part's statistics); the heads run on the whole
   * batch ({@link WholeBatch}).
   */
  private static final class Part {
    private final Trunk trunk;
    private final VideoBatch rows;
    private final Trunk.Scratch trunkScratch;
    /** Summed (not averaged) trunk gradients of the part's videos; the optimizer step reads and clears them. */
    final float[] trunkGrad;
    /** The videos of the last forward pass: the batch's own, or {@link #rows}. */
    private VideoBatch videos;
    private float[] emb = new float[0];
    private float[] dEmb = new float[0];

    Part(Trunk trunk, int trunkParams, PretrainData data) {
      this.trunk = trunk;
      this.rows = new VideoBatch(data.level(), data.dimension());
      this.trunkScratch = trunk.newScratch(true);
      this.trunkGrad = new float[trunkParams];
    }

    /**
     * The trunk's forward pass over videos {@code [from, to)} of the batch ({@code whole}: all of
     * it), their embeddings copied to their rows of {@code batchEmb}.
     */
    void forward(float[] tp, VideoBatch batch, int from, int to, boolean whole, float[] batchEmb) {
      videos = batch;
      if (!whole) {
        rows.copyRows(batch, from, to);
        videos = rows;
      }
      int n = videos.rows * trunk.outputDim();
      if (emb.length < n) {
        emb = new float[n];
        dEmb = new float[n];
      }
      trunk.forward(tp, videos, emb, trunkScratch);
      System.arraycopy(emb, 0, batchEmb, from * trunk.outputDim(), n);
    }

    /** The trunk's backward pass after {@link #forward}, from the part's rows of the batch's {@code batchDEmb}. */
    void backward(float[] tp, float[] batchDEmb, int from) {
      int n = videos.rows * trunk.outputDim();
      System.arraycopy(batchDEmb, from * trunk.outputDim(), dEmb, 0, n);
      trunk.backward(tp, videos, dEmb, trunkGrad, trunkScratch);
    }
  }

  /**
   * The heads' pass over a whole mini-batch, on the calling thread and those {@link LentThreads}
   * lends it: GEMMs of the batch's rows cut into a fixed number of column blocks, the element-wise
   * pass in fixed chunks of rows. Against heads run part by part, the GEMMs have twice the rows
   * (less packing a flop) and the heads' gradient is written once, with no parts to sum.
   */
  private static final class WholeBatch {
    private final MoeHeads heads;
    private final MoeHeads.Scratch scratch;
    private final int dim;
    private final boolean trunkTrained;
    /** The heads' gradient summed over the batch, written over by each batch. */
    final float[] headGrad;
    private float[] emb = new float[0];
    /** The embeddings' gradient of the last batch; null when there is no trunk to train. */
    float[] dEmb;

    WholeBatch(MoeHeads heads, int headParams, SpareThreads lent, int dim, boolean trunkTrained) {
      this.heads = heads;
      this.scratch = heads.newWorkerScratch(lent);
      this.dim = dim;
      this.trunkTrained = trunkTrained;
      this.headGrad = new float[headParams];
    }

    /** The buffer the parts write a batch's {@code rows} embeddings into. */
    float[] embeddings(int rows) {
      int n = rows * dim;
      if (emb.length < n) {
        emb = new float[n];
        dEmb = trunkTrained ? new float[n] : null;
      }
      return emb;
    }

    /**
     * The batch's loss; its heads' gradient written over {@link #headGrad} and, with a trunk to
     * train, its embeddings' gradient over {@link #dEmb}. (Heads straight on the features have no
     * trunk to train, so no embedding gradient, a third of the heads' GEMMs, is computed.)
     */
    double lossAndGradient(float[] hp, VideoBatch batch) {
      return heads.lossAndGradient(hp, emb, batch.rows, batch.labels, batch.labelOffsets, dEmb, headGrad, scratch,
          null);
    }
  }

  /**
   * The threads of pre-training's pool lent to the heads' whole-batch pass, which runs while the
   * pool is idle: always {@code lend} of them. The pieces the pass is cut into follow from
   * {@code pieces}, the parts of a batch, so the results do not depend on the threads.
   */
  private record LentThreads(int pieces, int lend) implements SpareThreads {
    @Override
    public int poolSize() {
      return pieces;
    }

    @Override
    public int take(int most) {
      return Math.min(most, lend);
    }

    @Override
    public void giveBack(int count) {}
  }

  /**
   * A range of one tensor for the optimizer step: sums the parts' gradients (in part order),
   * applies Adam with the mean and the tensor's L2 penalty, and clears the sums for the next batch.
   */
  private static final class Block {
    final boolean trunk;
    private final float[] params;
    /** The gradient sums to add up: the parts' for the trunk, the whole batch's for the heads. */
    private final float[][] grads;
    private final int from;
    private final int to;
    private final float l2;
    final int tensor;
    double squaredNorm;

    private Block(float[] params, float[][] grads, boolean trunk, int from, int to, float l2, int tensor) {
      this.tensor = tensor;
      this.params = params;
      this.grads = grads;
      this.trunk = trunk;
      this.from = from;
      this.to = to;
      this.l2 = l2;
    }

    static void add(List<Block> blocks, float[] params, float[][] grads, boolean trunk, TensorRef t, float l2,
        int tensor) {
      for (int s = t.offset(), end = t.offset() + t.size(); s < end; s += BLOCK) {
        blocks.add(new Block(params, grads, trunk, s, Math.min(end, s + BLOCK), l2, tensor));
      }
    }

    /** Sums the parts' gradients into the first part's (in part order) and keeps their squared norm. */
    void sumParts(int used) {
      float[] sum = addParts(used);
      double s = 0;
      for (int i = from; i < to; i++) {
        s += (double) sum[i] * sum[i];
      }
      squaredNorm = s;
    }

    /**
     * Adam with the summed gradient times {@code scale} (the mean, clipped) and the L2 penalty's
     * gradient added after: the penalty is not clipped.
     */
    void update(Adam.Step step, float scale) {
      float[] sum = grads[0];
      step.update(params, sum, from, to, scale, l2);
      if (trunk) { // the heads' gradient is written over by the next batch
        Arrays.fill(sum, from, to, 0f);
      }
    }

    /** The parts' sum and Adam on it, in one pass over the block (no clipping). */
    void apply(Adam.Step step, int used, float scale) {
      addParts(used);
      update(step, scale);
    }

    /** Adds the other parts' gradients to the first part's, in part order, clearing theirs; returns the sum's array. */
    private float[] addParts(int used) {
      float[] sum = grads[0];
      for (int p = 1; p < Math.min(used, grads.length); p++) {
        float[] g = grads[p];
        for (int i = from; i < to; i++) {
          sum[i] += g[i];
        }
        Arrays.fill(g, from, to, 0f);
      }
      return sum;
    }
  }
}
