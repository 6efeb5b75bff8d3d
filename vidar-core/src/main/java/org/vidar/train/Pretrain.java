package org.vidar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.vidar.data.Seeds;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.PretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.Trunk;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.optim.Adam;

/**
 * Joint pre-training: trunk and small heads trained together by mini-batch Adam over shuffled
 * videos (batch normalization on batch statistics). It gives the trunk the alternating rounds
 * start from.
 */
public final class Pretrain {
  private static final long STAGE = 0;
  private final TrainConfig config;

  public Pretrain(TrainConfig config) {
    this.config = config;
  }

  /** A model initialized from the seed and trained for the configured epochs on an in-memory dataset. */
  public StageResult run(VideoDataset data, ModelConfig modelConfig) {
    try {
      return run(new InMemoryPretrainData(data), modelConfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A model initialized from the seed and trained for the configured epochs; the loss is the last
   * epoch's mean training loss (NaN without epochs).
   */
  public StageResult run(PretrainData data, ModelConfig modelConfig) throws IOException {
    ExpertAllocation allocation = ExpertAllocation.fixed(modelConfig.numClasses(), config.pretrainHeads().maxExperts());
    VideoModel init = VideoModel.initialize(modelConfig, allocation, Seeds.stream(config.seed(), STAGE));
    float[] tp = init.trunkParams().clone();
    float[] hp = init.headParams().clone();
    Trunk trunk = init.trunk();
    MoeHeads heads = init.heads();
    Adam trunkAdam = new Adam(config.adam(), tp.length);
    Adam headAdam = new Adam(config.adam(), hp.length);
    Trunk.Scratch ts = trunk.newScratch(true);
    MoeHeads.Scratch hs = heads.newScratch();
    float[] tg = new float[tp.length];
    float[] hg = new float[hp.length];
    int dim = trunk.outputDim();
    float[] emb = new float[config.batchSize() * dim];
    float[] dEmb = new float[emb.length];
    double lastEpochLoss = Double.NaN;
    for (int epoch = 0; epoch < config.pretrainEpochs(); epoch++) {
      double[] epochLoss = {0};
      long[] videos = {0};
      data.epoch(epoch, config.batchSize(), config.seed(), batch -> {
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
        epochLoss[0] += loss;
        videos[0] += rows;
      });
      lastEpochLoss = epochLoss[0] / Math.max(1, videos[0]);
    }
    return new StageResult(new VideoModel(modelConfig, tp, allocation, hp), lastEpochLoss, null);
  }

  private static void scale(float[] a, float f) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= f;
    }
  }
}
