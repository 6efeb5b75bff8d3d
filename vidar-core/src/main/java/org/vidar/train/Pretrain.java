package org.vidar.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.Trunk;
import org.vidar.optim.Adam;

/**
 * Joint pre-training: trunk and small heads trained together by mini-batch Adam over shuffled
 * videos (batch normalization on batch statistics). It gives the trunk the alternating rounds
 * start from.
 */
public final class Pretrain {
  private static final long STAGE = 0;
  private final TrainConfig config;
  private double lastEpochLoss = Double.NaN;

  public Pretrain(TrainConfig config) {
    this.config = config;
  }

  /** A model initialized from the seed and trained for the configured epochs. */
  public VideoModel run(VideoDataset data, ModelConfig modelConfig) {
    ModelConfig mc = modelConfig.withHeads(config.pretrainHeads());
    ExpertAllocation allocation = ExpertAllocation.fixed(mc.numClasses(), config.pretrainHeads().maxExperts());
    VideoModel init = VideoModel.initialize(mc, allocation, Seeds.stream(config.seed(), STAGE));
    float[] tp = init.trunkParams().clone();
    float[] hp = init.headParams().clone();
    Trunk trunk = init.trunk();
    MoeHeads heads = init.heads();
    Adam trunkAdam = new Adam(config.adam(), tp.length);
    Adam headAdam = new Adam(config.adam(), hp.length);
    Trunk.Scratch ts = trunk.newScratch(true);
    MoeHeads.Scratch hs = heads.newScratch();
    VideoBatch batch = new VideoBatch(data.level(), data.dimension());
    float[] tg = new float[tp.length];
    float[] hg = new float[hp.length];
    int dim = trunk.outputDim();
    float[] emb = new float[config.batchSize() * dim];
    float[] dEmb = new float[emb.length];
    int n = data.size();
    for (int epoch = 0; epoch < config.pretrainEpochs(); epoch++) {
      int[] order = shuffled(n, Seeds.stream(config.seed(), STAGE, epoch + 1));
      double epochLoss = 0;
      for (int s = 0; s < n; s += config.batchSize()) {
        int e = Math.min(n, s + config.batchSize());
        batch.gather(data, order, s, e);
        int rows = batch.rows;
        Arrays.fill(tg, 0f);
        Arrays.fill(hg, 0f);
        Arrays.fill(dEmb, 0, rows * dim, 0f);
        trunk.forward(tp, batch, emb, ts);
        double loss = heads.lossAndBackward(hp, emb, rows, batch.labels, batch.labelOffsets, dEmb, hg, hs);
        trunk.backward(tp, batch, dEmb, tg, ts);
        scale(tg, 1.0f / rows);
        scale(hg, 1.0f / rows);
        heads.l2(hp, config.pretrainHeads().l2(), hg);
        TrunkGradient.l2(trunk.layout(), tp, config.trunkL2(), tg);
        trunkAdam.step(tp, tg);
        headAdam.step(hp, hg);
        epochLoss += loss;
      }
      lastEpochLoss = epochLoss / Math.max(1, n);
    }
    return new VideoModel(mc, tp, allocation, hp);
  }

  /** Mean training loss of the last epoch (NaN before any). */
  public double lastEpochLoss() {
    return lastEpochLoss;
  }

  private static void scale(float[] a, float f) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= f;
    }
  }

  static int[] shuffled(int n, SplittableRandom random) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
