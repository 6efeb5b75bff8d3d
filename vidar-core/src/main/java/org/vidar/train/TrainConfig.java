package org.vidar.train;

import org.vidar.data.FeatureSpec;
import org.vidar.data.batch.FrameSampling;
import org.vidar.model.moe.ClassGroups;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.train.embedding.EmbeddingPrecision;

/**
 * How the paper's pipeline trains: joint pre-training with mini-batch Adam and small heads, then
 * {@code rounds} of Stage 1 (trunk frozen, fresh large heads trained per class group with L-BFGS
 * over all videos) and Stage 2 (heads frozen, trunk fine-tuned by full-batch iRprop+). Every
 * training option lives here, once, with its default beside it as a {@code DEFAULT_} constant.
 *
 * @param seed splits into one random stream per stage, round, class and shard
 * @param pretrainEpochs passes over the data in pre-training (0 skips it: the trunk stays at its initialization)
 * @param batchSize pre-training mini-batch size
 * @param adam pre-training optimizer
 * @param pretrainHeads the small heads of pre-training
 * @param rounds alternating rounds of Stage 1 and Stage 2
 * @param heads the large heads of Stage 1
 * @param headGroups class groups of Stage 1, or {@link #AUTO_HEAD_GROUPS} for
 *     {@link ClassGroups#defaultCount}; a property of the model, not of the cluster, so one worker
 *     and many, and any machine, give the same model (with Adam, the workers' tasks each take
 *     one or more whole groups)
 * @param lbfgs Stage 1's optimizer, per class group
 * @param trunkSteps Stage 2's iRprop+ iterations
 * @param irprop Stage 2's optimizer
 * @param trunkL2 L2 penalty on trunk weights in Stage 2 and pre-training
 * @param chunkRows videos per batch inside full-batch passes (memory, not math)
 * @param embeddingPrecision how Stage 1's embedding table is stored (float32 exact; float16 and
 *     bfloat16 halve it, and the heads train on the rounded embeddings)
 * @param trunkFraction Stage 2: the fraction of videos each iRprop+ step sums its gradient over, a
 *     fresh random subset per step chosen by video id (1 is the full batch; below 1 is the paper's
 *     very-large-batch variant, an approximation)
 * @param continueHeads Stage 1 starts from the heads the model has (pre-training's or the last
 *     round's), grown to the stage's experts per class, rather than from fresh heads; see
 *     {@link HeadStart}
 * @param sampleFrames frame level: frames each training video keeps, drawn once per video from the
 *     seed and its id (0 keeps them all); scoring always reads every frame
 * @param pretrainHoldout the fraction of training videos (chosen by video id) that pre-training
 *     leaves out and scores after every epoch, stopping when their GAP stops improving and keeping
 *     the best epoch's model; Stage 1 by Adam holds out the same videos and stops each class group
 *     on their loss. 0 trains exactly {@code pretrainEpochs} and {@code headEpochs} passes. Never
 *     the validation files.
 * @param pretrainPatience passes without a better held-out GAP (pre-training) or loss (Stage 1)
 *     before stopping
 * @param pretrainDecay pre-training multiplies Adam's learning rate by this after every epoch whose
 *     held-out GAP is not the best so far (1 keeps it; no effect without a held-out slice)
 * @param headDraws frame level with {@code sampleFrames > 0}: Stage 1's embedding table holds this
 *     many embeddings of each training video, each from its own draw of {@code sampleFrames}
 *     frames (the first the fixed sample Stage 2 reads), as pre-training sees other frames every
 *     epoch; 1 at the video level or when every frame is kept
 * @param headOptimizer how Stage 1 trains each class group's fresh heads over the embeddings:
 *     mini-batch Adam ({@code adam}, {@code batchSize}) for {@code headEpochs} passes, or full-batch
 *     L-BFGS ({@code lbfgs})
 * @param headEpochs Stage 1 with Adam: passes over the embeddings, more when they make fewer than
 *     {@code HeadStage.MIN_ADAM_STEPS} steps
 * @param pretrainClip pre-training: each tensor's mean gradient is scaled down to this L2 norm when
 *     it is longer (the starter code's per-tensor clipping), before Adam; 0 leaves it as it is
 */
public record TrainConfig(
    long seed,
    int pretrainEpochs,
    int batchSize,
    AdamConfig adam,
    HeadConfig pretrainHeads,
    int rounds,
    HeadConfig heads,
    int headGroups,
    LbfgsConfig lbfgs,
    int trunkSteps,
    IRpropConfig irprop,
    float trunkL2,
    int chunkRows,
    EmbeddingPrecision embeddingPrecision,
    double trunkFraction,
    boolean continueHeads,
    int sampleFrames,
    double pretrainHoldout,
    int pretrainPatience,
    double pretrainDecay,
    int headDraws,
    HeadOptimizer headOptimizer,
    int headEpochs,
    double pretrainClip) implements java.io.Serializable {
  /** Stage 1's optimizer. */
  public enum HeadOptimizer {
    /**
     * Mini-batch Adam: at 20,000 videos, heads on the features reached GAP 0.886 in 9 s this way
     * and in 86 s by full-batch L-BFGS (150 iterations), each update of L-BFGS costing a pass.
     */
    ADAM,
    /** Full-batch L-BFGS over every embedding at every evaluation. */
    LBFGS
  }

  /**
   * Where Stage 1's heads start, as a user chooses it: {@link #GROWN} from the model's heads,
   * {@link #FRESH} from a fresh initialization (the paper's), or {@link #AUTO}: grown when the model
   * has a trunk to pre-train, fresh when it has none (heads on the features: nothing precedes them).
   */
  public enum HeadStart {
    AUTO,
    /**
     * The model's heads (pre-training's, or the last round's), each class's experts split into
     * Stage 1's count so the model scores as before ({@code MoeHeads.growClass}), and Stage 1 keeps
     * them for a class group whose held-out loss no pass lowers. Fresh heads on a pre-trained trunk
     * scored below pre-training: DBoF at 10,000 synth frame-level videos 0.7855 against 0.7970, at
     * 20,000 0.8287 against 0.8393; the video-level MLP trunk at 20,000 0.8073 against 0.8193.
     */
    GROWN,
    /** Freshly initialized heads, the paper's Stage 1. */
    FRESH;

    /** Whether Stage 1 starts from the model's heads ({@link TrainConfig#continueHeads}) for a model with or without a trunk. */
    public boolean continuesHeads(boolean trainableTrunk) {
      return this == GROWN || (this == AUTO && trainableTrunk);
    }
  }

  public static final long DEFAULT_SEED = 1;
  /**
   * The most epochs: with a held-out slice, pre-training stops earlier once it stops improving (at
   * 20,000 videos the heads on the features still improved at epoch 45).
   */
  public static final int DEFAULT_PRETRAIN_EPOCHS = 100;
  /** Training videos held out to decide when pre-training stops. */
  public static final double DEFAULT_PRETRAIN_HOLDOUT = 0.05;
  public static final int DEFAULT_PRETRAIN_PATIENCE = 3;
  /**
   * Halving the learning rate at each held-out plateau. Frame level (10,000 synth videos, segment
   * labels, DBoF 512 + 512 at lr 1e-3, TimeToQualityBench): without it the held-out GAP stalled at
   * epoch 10 (validation GAP 0.77, swinging by 0.01 epoch to epoch) and pre-training stopped at epoch
   * 17 with 0.779; with it 0.788 at epoch 14 and 0.796 at epoch 23.
   */
  public static final double DEFAULT_PRETRAIN_DECAY = 0.5;
  /**
   * Stage 1's frame draws per video: one by default, more as an option. Fresh heads over one fixed
   * sample's embeddings scored below pre-training's heads. On 10,000 synth videos (segment labels,
   * DBoF 512 + 512 pre-trained to validation GAP 0.7970) 8 experts a class reached 0.7855 (2 experts
   * 0.7820; every frame instead of a sample 0.7861; head L2 up to 1e-2, other learning rates and
   * stopping rules no better); from 4 draws 0.7923, from 8 0.7935. On 20,000 (pre-trained to 0.8393)
   * 8 draws gave 0.8287 against 0.8282 and took 49 s against 8: not worth a default.
   */
  public static final int DEFAULT_HEAD_DRAWS = 1;
  /**
   * L2 penalty on the pre-training heads' weights, the starter code's: with 1e-5 the heads on the
   * features ended 0.014 GAP lower after 30 epochs at 20,000 videos (0.900 against 0.914).
   */
  public static final float DEFAULT_PRETRAIN_HEAD_L2 = 1e-8f;
  /**
   * The YouTube-8M starter code's batch; at 20,000 videos it reached a GAP in a third of batch 256's
   * time. Heads on the features (Stage 1 alone, 8 experts, lr 0.03; synth data with up to 8 modes a
   * class, one run each): batch 512 reached TensorFlow's best MoE GAP (0.8543) after 5 passes (8.0 s)
   * against 8 (11.9 s) at 20,000 videos, and both ended at 0.8689; at 200,000 videos 512 passed
   * 0.8915 after one pass against two, but ended at 0.9108 against 0.9116, so the default stays.
   */
  public static final int DEFAULT_BATCH_SIZE = 1024;
  /**
   * Adam's step size, for pre-training and Stage 1. With {@link #DEFAULT_BATCH_SIZE}, 20,000
   * videos and 300 classes, MoE on the features ({@code PretrainBench}): 4 experts reached GAP 0.866
   * in 16 epochs at 3e-2 against 0.846 after 30 at 1e-2 on synth data with up to 8 modes a class,
   * and 0.919 in 18 epochs against 0.915 after 24 on the default synth data; 2 experts peaked at
   * 0.852 (3e-2) and 0.849 (5e-2). Batches of 256 and 512, each at its best rate, were slower to
   * every GAP. Earlier, 3e-3 was slower to every GAP than 1e-2.
   */
  public static final double DEFAULT_LEARNING_RATE = 3e-2;
  /**
   * Frame level (a Deep Bag of Frames with batch norm): pre-training on 10,000 synth videos of 20 to
   * 60 frames (32 sampled), 300 classes, 512 + 512 units, reached GAP 0.770 in 127 s at batch 256
   * and 3e-3, 0.730 at 1e-2; without batch norm 0.648 at batch 256 and 3e-2, and 0.669 in 198 s at
   * the video level's batch 1024 and 3e-2. On 5,000 of them, 8 epochs at batch 1024 reached 0.233
   * against 0.605 at 256: a deeper trunk needs the steps.
   */
  public static final int DEFAULT_FRAME_BATCH_SIZE = 256;
  /**
   * Stage 2's initial iRprop+ step at the frame level. Measured on a DBoF with batch norm (10,000
   * synth videos, segment labels, 512 + 512 units, 10 steps from round 1's heads). Pre-trained at lr
   * 3e-3 (loss 0.873, GAP 0.7704): 0.0125, the video level's, first raised the loss to 257 and had
   * not come back below the start after 10 steps, so the stage kept its starting trunk; 3e-3 ended at
   * GAP 0.7814, 1e-3 at 0.7761, 3e-4 at 0.7765. Pre-trained at lr 1e-3, the default (GAP 0.7819):
   * 3e-3 kept the start, 1e-3 ended at 0.7877, 3e-4 at 0.7856. 1e-3 gained on both.
   */
  public static final double DEFAULT_FRAME_TRUNK_DELTA0 = 1e-3;

  /**
   * The video level with an MLP trunk ({@code --hidden}). At 20,000 synth videos (classes of up to 8
   * modes), 1,024 hidden units, lr {@link #DEFAULT_TRUNK_LEARNING_RATE}, clipping at
   * {@link #DEFAULT_TRUNK_PRETRAIN_CLIP}, one run each ({@code TimeToQualityBench … hidden=1024
   * gating=false batch=B rounds=0}), the epoch that first passed GAP 0.8228 (TensorFlow's MLP + MoE
   * best) and pre-training's best: batch 1024 epoch 11 (9.6 s), 0.8365; 512 epoch 8 (7.5 s), 0.8388;
   * 256 epoch 6 (7.2 s), 0.8378, but at 52 % of sgemm against 63 % (its parts of 128 videos); 512 at
   * lr 5e-3 epoch 8, 0.8346, and 256 at 2.5e-3 epoch 7, 0.8409.
   */
  public static final int DEFAULT_TRUNK_BATCH_SIZE = 512;

  /** Pre-training's and Stage 1's default batch at a level, for a model with or without a trunk to train. */
  public static int batchSizeFor(FeatureSpec.Level level, boolean trainableTrunk) {
    if (level == FeatureSpec.Level.FRAME) {
      return DEFAULT_FRAME_BATCH_SIZE;
    }
    return trainableTrunk ? DEFAULT_TRUNK_BATCH_SIZE : DEFAULT_BATCH_SIZE;
  }

  /** Pre-training's and Stage 1's default Adam learning rate at a level, for a model with or without a trunk. */
  public static double learningRateFor(FeatureSpec.Level level, boolean trainableTrunk) {
    if (level == FeatureSpec.Level.FRAME) {
      return DEFAULT_FRAME_LEARNING_RATE;
    }
    return trainableTrunk ? DEFAULT_TRUNK_LEARNING_RATE : DEFAULT_LEARNING_RATE;
  }

  /**
   * Pre-training's per-tensor gradient clipping at a level, with or without a trunk. Video level
   * with an MLP trunk (20,000 synth videos, 1,024 units, 2 pre-training experts, one run each; no
   * clipping at 5e-3 passed GAP 0.8228, TensorFlow's MLP + MoE best, after 24.9 s and ended at
   * 0.8229): clipping at 1.0 and lr 5e-3 passed it after 12.1 s and ended at 0.8297; 0.5 after
   * 10.2 s (0.8313); 0.25 9.5 s (0.8321); 0.1 8.7 s (0.8333), and with lr 3.5e-3 9.2 s (0.8365);
   * 0.03 8.6 s (0.8347). Frame level (10,000 videos, DBoF 512 + 512 with batch norm), 0.1 ended at
   * 0.7963 after 107 s against 0.7970 after 71 s without: off there.
   */
  public static double pretrainClipFor(FeatureSpec.Level level, boolean trainableTrunk) {
    return level == FeatureSpec.Level.VIDEO && trainableTrunk ? DEFAULT_TRUNK_PRETRAIN_CLIP : 0;
  }

  /** Pre-training's per-tensor gradient norm limit for a video-level MLP trunk: see {@link #pretrainClipFor}. */
  public static final double DEFAULT_TRUNK_PRETRAIN_CLIP = 0.1;

  /** Stage 2's iRprop+ settings at a level: the published ones, with a smaller first step for frames. */
  public static IRpropConfig irpropFor(FeatureSpec.Level level) {
    return level == FeatureSpec.Level.FRAME ? IRpropConfig.withDelta0(DEFAULT_FRAME_TRUNK_DELTA0)
        : IRpropConfig.defaults();
  }

  /**
   * With {@link #DEFAULT_FRAME_BATCH_SIZE}, a fresh frame sample every epoch and batch norm in parts
   * (the same 10,000 videos, segment labels). At a constant rate 1e-3, the starter code's DbofModel's,
   * reached GAP 0.771 after 10 epochs and 0.785 after 20, against 0.747 and 0.743 (best 0.766) at
   * 3e-3. With {@link #DEFAULT_PRETRAIN_DECAY}'s halving at held-out plateaus (same data): 2e-3
   * reached 0.783 after 11 epochs (34.7 s) and ended at 0.797; 1e-3 after 14 (0.788; 44.8 s), ending at
   * 0.796; 3e-3 after 14 (0.783).
   */
  public static final double DEFAULT_FRAME_LEARNING_RATE = 2e-3;
  /**
   * The video level with an MLP trunk ({@code --hidden}). At 20,000 synth videos (classes of up to 8
   * modes), 1,024 hidden units, 4 pre-training experts, batch 1024, with the halving at held-out
   * plateaus, one run each ({@code TimeToQualityBench … hidden=1024 gating=false pretrainExperts=4
   * lr=R rounds=0}): 0.03 reached GAP 0.8172, 0.02 0.8165, 0.01 0.8193, 5e-3 0.8271 (after 30 s; it
   * passed 0.8228, TensorFlow's MLP + MoE best at lr 0.01, after 22 s) and 2.5e-3 0.8286 (after
   * 43 s). With 2 pre-training experts and one round, 0.03 ended at 0.8101 and 5e-3 at 0.8229.
   * With {@link #DEFAULT_TRUNK_PRETRAIN_CLIP}'s clipping, 3.5e-3 ended at 0.8365 and 5e-3 at 0.8333.
   */
  public static final double DEFAULT_TRUNK_LEARNING_RATE = 3.5e-3;
  public static final int DEFAULT_PRETRAIN_EXPERTS = 2;
  public static final int DEFAULT_ROUNDS = 2;
  /** {@link #headGroups} that asks for the default grouping ({@link #headGroupsFor}). */
  public static final int AUTO_HEAD_GROUPS = 0;
  public static final int DEFAULT_LBFGS_ITERATIONS = 50;
  public static final HeadOptimizer DEFAULT_HEAD_OPTIMIZER = HeadOptimizer.ADAM;
  /** At 20,000 videos, fresh heads on the features still gained between 20 and 40 passes. */
  public static final int DEFAULT_HEAD_EPOCHS = 40;
  /** Stage 1 stops early when the gradient's norm falls below this. */
  public static final double LBFGS_GRADIENT_TOLERANCE = 1e-5;
  /** Stage 1 stops early when the loss changes by less than this, relatively. */
  public static final double LBFGS_LOSS_TOLERANCE = 1e-7;
  public static final int DEFAULT_TRUNK_STEPS = 10;
  public static final float DEFAULT_TRUNK_L2 = 1e-6f;
  public static final int DEFAULT_CHUNK_ROWS = 1024;
  public static final int DEFAULT_SAMPLE_FRAMES = 32;

  public TrainConfig {
    // One check per field, the field's name first: the CLI names its option from it.
    atLeast("pretrainEpochs", pretrainEpochs, 0);
    atLeast("rounds", rounds, 0);
    atLeast("trunkSteps", trunkSteps, 0);
    atLeast("batchSize", batchSize, 1);
    atLeast("chunkRows", chunkRows, 1);
    if (headGroups < 0) {
      throw new IllegalArgumentException("headGroups must be positive, or " + AUTO_HEAD_GROUPS + " for the default, got "
          + headGroups);
    }
    if (!(trunkL2 >= 0)) {
      throw new IllegalArgumentException("trunkL2 must be >= 0, got " + trunkL2);
    }
    if (adam == null || pretrainHeads == null || heads == null || lbfgs == null || irprop == null
        || embeddingPrecision == null) {
      throw new IllegalArgumentException("optimizer, head and embedding settings must be set");
    }
    if (!(trunkFraction > 0 && trunkFraction <= 1)) {
      throw new IllegalArgumentException("trunkFraction must be in (0, 1], got " + trunkFraction);
    }
    if (sampleFrames < 0) {
      throw new IllegalArgumentException("sampleFrames must be >= 0, got " + sampleFrames);
    }
    if (!(pretrainHoldout >= 0 && pretrainHoldout < 1)) {
      throw new IllegalArgumentException("pretrainHoldout must be in [0, 1), got " + pretrainHoldout);
    }
    atLeast("pretrainPatience", pretrainPatience, 1);
    atLeast("headDraws", headDraws, 1);
    if (!(pretrainDecay > 0 && pretrainDecay <= 1)) {
      throw new IllegalArgumentException("pretrainDecay must be in (0, 1], got " + pretrainDecay);
    }
    atLeast("headEpochs", headEpochs, 1);
    if (!(pretrainClip >= 0) || Double.isInfinite(pretrainClip)) {
      throw new IllegalArgumentException("pretrainClip must be >= 0 and finite, got " + pretrainClip);
    }
    if (headOptimizer == null) {
      throw new IllegalArgumentException("headOptimizer must be set");
    }
  }

  private static void atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", got " + value);
    }
  }

  /**
   * The options after {@code chunkRows} fixed as the tests want them: float32 embeddings, full
   * batches, fresh heads, every frame, exactly {@code pretrainEpochs} epochs, Stage 1 by L-BFGS.
   */
  public TrainConfig(long seed, int pretrainEpochs, int batchSize, AdamConfig adam, HeadConfig pretrainHeads,
      int rounds, HeadConfig heads, int headGroups, LbfgsConfig lbfgs, int trunkSteps, IRpropConfig irprop,
      float trunkL2, int chunkRows) {
    this(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs, trunkSteps, irprop,
        trunkL2, chunkRows, EmbeddingPrecision.FLOAT32, 1.0, false, 0, 0, DEFAULT_PRETRAIN_PATIENCE,
        DEFAULT_PRETRAIN_DECAY, DEFAULT_HEAD_DRAWS, HeadOptimizer.LBFGS, DEFAULT_HEAD_EPOCHS, 0);
  }

  /** Every option at its default. */
  public static TrainConfig defaults() {
    return new TrainConfig(DEFAULT_SEED, DEFAULT_PRETRAIN_EPOCHS, DEFAULT_BATCH_SIZE,
        AdamConfig.of(DEFAULT_LEARNING_RATE), HeadConfig.fixed(DEFAULT_PRETRAIN_EXPERTS, DEFAULT_PRETRAIN_HEAD_L2),
        DEFAULT_ROUNDS, HeadConfig.fixed(HeadConfig.DEFAULT_EXPERTS, HeadConfig.DEFAULT_L2), AUTO_HEAD_GROUPS,
        stage1Optimizer(DEFAULT_LBFGS_ITERATIONS), DEFAULT_TRUNK_STEPS, IRpropConfig.defaults(), DEFAULT_TRUNK_L2,
        DEFAULT_CHUNK_ROWS, EmbeddingPrecision.FLOAT32, 1.0, false, DEFAULT_SAMPLE_FRAMES, DEFAULT_PRETRAIN_HOLDOUT,
        DEFAULT_PRETRAIN_PATIENCE, DEFAULT_PRETRAIN_DECAY, DEFAULT_HEAD_DRAWS, DEFAULT_HEAD_OPTIMIZER, DEFAULT_HEAD_EPOCHS, 0);
  }

  /** Stage 1's L-BFGS with {@code iterations} iterations and the default tolerances. */
  public static LbfgsConfig stage1Optimizer(int iterations) {
    return LbfgsConfig.of(iterations, LBFGS_GRADIENT_TOLERANCE, LBFGS_LOSS_TOLERANCE);
  }

  /**
   * The class groups Stage 1 trains heads of {@code allocation} in: the classes that stop together
   * (Adam) or are stepped together (L-BFGS), a property of the model, the same on every machine.
   */
  public int headGroupsFor(ExpertAllocation allocation) {
    return headGroups == AUTO_HEAD_GROUPS ? ClassGroups.defaultCount(allocation) : headGroups;
  }

  /** The frames training reads of each frame-level video. */
  public FrameSampling frameSampling() {
    return new FrameSampling(sampleFrames, seed);
  }

  public TrainConfig withEmbeddingPrecision(EmbeddingPrecision precision) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, precision, trunkFraction, continueHeads, sampleFrames, pretrainHoldout,
        pretrainPatience, pretrainDecay, headDraws, headOptimizer, headEpochs, pretrainClip);
  }

  public TrainConfig withTrunkFraction(double fraction) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, fraction, continueHeads, sampleFrames, pretrainHoldout,
        pretrainPatience, pretrainDecay, headDraws, headOptimizer, headEpochs, pretrainClip);
  }

  public TrainConfig withContinueHeads(boolean continueFromHeads) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueFromHeads, sampleFrames, pretrainHoldout,
        pretrainPatience, pretrainDecay, headDraws, headOptimizer, headEpochs, pretrainClip);
  }

  /** Pre-training with a held-out slice of {@code fraction} of the videos and this patience. */
  public TrainConfig withPretrainHoldout(double fraction, int patience) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueHeads, sampleFrames,
        fraction, patience, pretrainDecay, headDraws, headOptimizer, headEpochs, pretrainClip);
  }

  /** Pre-training that multiplies its learning rate by {@code decay} after each epoch that is not the best. */
  public TrainConfig withPretrainDecay(double decay) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueHeads, sampleFrames,
        pretrainHoldout, pretrainPatience, decay, headDraws, headOptimizer, headEpochs, pretrainClip);
  }

  /** Stage 1 over {@code draws} frame samples of each video (frame level). */
  public TrainConfig withHeadDraws(int draws) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueHeads, sampleFrames,
        pretrainHoldout, pretrainPatience, pretrainDecay, draws, headOptimizer, headEpochs, pretrainClip);
  }

  /** Stage 1 with {@code optimizer} ({@code epochs} passes when it is Adam). */
  public TrainConfig withHeadOptimizer(HeadOptimizer optimizer, int epochs) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueHeads, sampleFrames,
        pretrainHoldout, pretrainPatience, pretrainDecay, headDraws, optimizer, epochs, pretrainClip);
  }

  /** Pre-training with its per-tensor gradient norm limited to {@code clip} (0: no limit). */
  public TrainConfig withPretrainClip(double clip) {
    return new TrainConfig(seed, pretrainEpochs, batchSize, adam, pretrainHeads, rounds, heads, headGroups, lbfgs,
        trunkSteps, irprop, trunkL2, chunkRows, embeddingPrecision, trunkFraction, continueHeads, sampleFrames,
        pretrainHoldout, pretrainPatience, pretrainDecay, headDraws, headOptimizer, headEpochs, clip);
  }
}
