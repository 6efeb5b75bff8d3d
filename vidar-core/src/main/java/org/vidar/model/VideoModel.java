package org.vidar.model;

import java.util.SplittableRandom;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.ParameterLayout;

/**
 * A trained or training model: the trunk with its parameters and the per-class mixture-of-experts
 * heads with theirs. The two parameter arrays are kept apart because the training stages freeze
 * one while they optimize the other. Parameter arrays are owned by the model: stages that change
 * them work on copies and build a new model.
 */
public final class VideoModel {
  private final ModelConfig config;
  private final Trunk trunk;
  private final float[] trunkParams;
  private final ExpertAllocation allocation;
  private final MoeHeads heads;
  private final ParameterLayout headLayout;
  private final float[] headParams;

  public VideoModel(ModelConfig config, float[] trunkParams, ExpertAllocation allocation, float[] headParams) {
    this.config = config;
    this.trunk = Trunk.of(config.trunk(), config.inputDim());
    this.allocation = allocation;
    if (allocation.numClasses() != config.numClasses()) {
      throw new IllegalArgumentException("expert allocation covers " + allocation.numClasses()
          + " classes, the model " + config.numClasses());
    }
    this.heads = new MoeHeads(trunk.outputDim(), allocation);
    this.headLayout = heads.layout();
    checkSize("trunk", trunkParams, trunk.layout().size());
    checkSize("head", headParams, headLayout.size());
    this.trunkParams = trunkParams;
    this.headParams = headParams;
  }

  private static void checkSize(String what, float[] params, int expected) {
    if (params.length != expected) {
      throw new IllegalArgumentException(what + " parameters hold " + params.length + " values, the layout "
          + expected);
    }
  }

  /** A model of this architecture with every parameter zero (for a layout to fill). */
  public static VideoModel zeros(ModelConfig config, ExpertAllocation allocation) {
    Trunk t = Trunk.of(config.trunk(), config.inputDim());
    return new VideoModel(config, new float[t.layout().size()], allocation,
        new MoeHeads(t.outputDim(), allocation).newParams());
  }

  /** A freshly initialized model. */
  public static VideoModel initialize(ModelConfig config, ExpertAllocation allocation, SplittableRandom random) {
    Trunk t = Trunk.of(config.trunk(), config.inputDim());
    float[] tp = new float[t.layout().size()];
    t.initialize(tp, random);
    MoeHeads h = new MoeHeads(t.outputDim(), allocation);
    float[] hp = h.newParams();
    h.initialize(hp, random);
    return new VideoModel(config, tp, allocation, hp);
  }

  public ModelConfig config() {
    return config;
  }

  public Trunk trunk() {
    return trunk;
  }

  /** The trunk's parameters (owned by the model: do not modify). */
  public float[] trunkParams() {
    return trunkParams;
  }

  public ExpertAllocation allocation() {
    return allocation;
  }

  public MoeHeads heads() {
    return heads;
  }

  public ParameterLayout headLayout() {
    return headLayout;
  }

  /** The heads' parameters (owned by the model: do not modify). */
  public float[] headParams() {
    return headParams;
  }

  /** This model with another trunk parameter array. */
  public VideoModel withTrunkParams(float[] params) {
    return new VideoModel(config, params, allocation, headParams);
  }

  /** This model with other heads. */
  public VideoModel withHeads(ExpertAllocation newAllocation, float[] params) {
    return new VideoModel(config, trunkParams, newAllocation, params);
  }

  /** Total parameters. */
  public long parameterCount() {
    return (long) trunkParams.length + headParams.length;
  }

  /** Scores batches with frozen statistics; one per thread. */
  public Scorer newScorer() {
    return new Scorer();
  }

  /**
   * Scores batches with frozen statistics, one of several threads that score at once: its heads'
   * element-wise pass stays on the calling thread ({@link MoeHeads#newWorkerScratch()}).
   */
  public Scorer newWorkerScorer() {
    return new Scorer(heads.newWorkerScratch());
  }

  /** Per-thread buffers for scoring. */
  public final class Scorer {
    private final Trunk.Scratch trunkScratch = trunk.newScratch(false);
    private final MoeHeads.Scratch headScratch;
    private float[] embedding = new float[0];

    private Scorer() {
      this(heads.newScratch());
    }

    private Scorer(MoeHeads.Scratch headScratch) {
      this.headScratch = headScratch;
    }

    /** The classes each video gets a probability for. */
    public int numClasses() {
      return config.numClasses();
    }

    /** Writes the class probabilities [rows × numClasses] of the batch's videos. */
    public void score(VideoBatch batch, float[] probs) {
      embedding = LayerStack.ensure(embedding, (long) batch.rows * trunk.outputDim());
      trunk.forward(trunkParams, batch, embedding, trunkScratch);
      heads.forward(headParams, embedding, batch.rows, probs, headScratch);
    }

    /** Writes the embeddings [rows × trunk width] of the batch's videos. */
    public void embed(VideoBatch batch, float[] out) {
      trunk.forward(trunkParams, batch, out, trunkScratch);
    }
  }
}
