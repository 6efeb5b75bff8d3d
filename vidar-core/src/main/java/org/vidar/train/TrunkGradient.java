package org.vidar.train;

import org.vidar.data.batch.DataShard;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.Trunk;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * The aggregator of Stage 2: the trunk's loss and gradient summed over one shard of videos, with
 * the heads frozen and batch normalization on its frozen statistics, so that the sums of all shards
 * add up to the full-batch gradient exactly (up to float summation order).
 */
public final class TrunkGradient {
  private TrunkGradient() {}

  /** Sums over every batch of {@code shard} the loss and the trunk gradient at {@code trunkParams}. */
  public static LossGradient overShard(VideoModel model, float[] trunkParams, DataShard shard, int chunkRows) {
    return overShard(model, trunkParams, shard, chunkRows, null);
  }

  /**
   * As above, over only the videos whose key {@code sample} accepts (all when it is null): a step of
   * Stage 2 on a fraction of the data.
   */
  public static LossGradient overShard(VideoModel model, float[] trunkParams, DataShard shard, int chunkRows,
      java.util.function.LongPredicate sample) {
    return overShard(model, trunkParams, shard, chunkRows, sample, null);
  }

  /**
   * As above, with the videos whose key {@code heldOut} accepts (none when it is null) left out of
   * the loss and gradient and scored apart: their loss goes to {@link LossGradient#heldOutLoss}.
   */
  public static LossGradient overShard(VideoModel model, float[] trunkParams, DataShard shard, int chunkRows,
      java.util.function.LongPredicate sample, java.util.function.LongPredicate heldOut) {
    Trunk trunk = model.trunk();
    MoeHeads heads = model.heads();
    Trunk.Scratch ts = trunk.newScratch(false);
    MoeHeads.Scratch hs = heads.newScratch();
    VideoBatch batch = null;
    float[] grad = new float[trunkParams.length];
    float[] emb = new float[0];
    float[] dEmb = new float[0];
    double loss = 0;
    long videos = 0;
    VideoBatch held = null;
    double heldLoss = 0;
    long heldVideos = 0;
    int dim = trunk.outputDim();
    while (true) {
      if (batch == null) {
        batch = new VideoBatch(model.config().features().level(), model.config().inputDim());
      }
      if (!shard.next(batch, chunkRows)) {
        break;
      }
      if (sample != null) {
        batch.retain(sample);
      }
      if (heldOut != null) {
        if (held == null) {
          held = new VideoBatch(batch.level(), batch.dimension());
        }
        held.copyRows(batch, 0, batch.rows);
        held.retain(heldOut);
        batch.retain(heldOut.negate());
        if (held.rows > 0) {
          emb = fit(emb, held.rows * dim);
          trunk.forward(trunkParams, held, emb, ts);
          heldLoss += heads.lossAndBackward(model.headParams(), emb, held.rows, held.labels, held.labelOffsets, null,
              null, hs);
          heldVideos += held.rows;
        }
      }
      if (batch.rows == 0) {
        continue;
      }
      int n = batch.rows * dim;
      emb = fit(emb, n);
      dEmb = fit(dEmb, n);
      trunk.forward(trunkParams, batch, emb, ts);
      java.util.Arrays.fill(dEmb, 0, n, 0f);
      loss += heads.lossAndBackward(model.headParams(), emb, batch.rows, batch.labels, batch.labelOffsets, dEmb,
          null, hs);
      trunk.backward(trunkParams, batch, dEmb, grad, ts);
      videos += batch.rows;
    }
    return new LossGradient(loss, grad, videos, heldLoss, heldVideos);
  }

  private static float[] fit(float[] a, int n) {
    return a.length >= n ? a : new float[n];
  }

  /** Whether the trunk's L2 penalty covers tensor {@code t}: weight matrices, not biases or normalization. */
  public static boolean penalized(TensorRef t) {
    return t.name().endsWith("/weight");
  }

  /** Adds λ·W to {@code grad} for every trunk weight matrix (not biases or normalization) and returns λ/2·‖W‖². */
  public static double l2(ParameterLayout layout, float[] params, double lambda, float[] grad) {
    if (lambda == 0) {
      return 0;
    }
    double sum = 0;
    for (TensorRef t : layout.tensors()) {
      if (!penalized(t)) {
        continue;
      }
      for (int i = t.offset(), end = t.offset() + t.size(); i < end; i++) {
        double w = params[i];
        sum += w * w;
        grad[i] += (float) (lambda * w);
      }
    }
    return 0.5 * lambda * sum;
  }
}
