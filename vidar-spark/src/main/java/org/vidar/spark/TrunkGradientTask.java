package org.vidar.spark;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.vidar.train.DataShard;
import org.vidar.train.Engine;
import org.vidar.train.TrunkGradient;

/**
 * Stage 2's work for one partition, in a form Spark can ship: the model (broadcast once per stage)
 * and the trunk parameters of this step (broadcast once per step) are read on the executor and
 * {@link TrunkGradient#overShard} sums the loss and trunk gradient over the partition's files.
 */
public final class TrunkGradientTask implements Engine.ShardTask<GradientSum>, Serializable {
  private static final long serialVersionUID = 1L;
  private final Broadcast<ModelBytes> model;
  private final Broadcast<float[]> trunkParams;
  private final int chunkRows;

  public TrunkGradientTask(Broadcast<ModelBytes> model, Broadcast<float[]> trunkParams, int chunkRows) {
    if (chunkRows <= 0) {
      throw new IllegalArgumentException("chunkRows must be positive, got " + chunkRows);
    }
    this.model = model;
    this.trunkParams = trunkParams;
    this.chunkRows = chunkRows;
  }

  @Override
  public GradientSum apply(DataShard shard) {
    return GradientSum.of(TrunkGradient.overShard(model.value().model(), trunkParams.value(), shard, chunkRows));
  }
}
