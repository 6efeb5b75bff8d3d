package org.vidar.spark;

import java.util.TreeSet;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.VideoModel;
import org.vidar.train.Engine;

/**
 * The cluster test's shard tasks, kept apart from the JUnit class so that executors load only
 * this small class (from the application jar) to deserialize them.
 */
final class ClusterJobs {
  private ClusterJobs() {}

  /** The executor (id and process) each shard ran on; the short sleep keeps one executor from taking every shard. */
  static Engine.ShardTask<TreeSet<String>> executorIds() {
    return shard -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      TreeSet<String> ids = new TreeSet<>();
      ids.add(org.apache.spark.SparkEnv.get().executorId() + "@" + ProcessHandle.current().pid());
      return ids;
    };
  }

  static Engine.Combine<TreeSet<String>> union() {
    return (a, b) -> {
      TreeSet<String> u = new TreeSet<>(a);
      u.addAll(b);
      return u;
    };
  }

  /** Inference: scores every video of the shard; returns {videos, sum of all class probabilities}. */
  static Engine.ShardTask<double[]> score(Engine.Shared<VideoModel> model, int chunkRows) {
    return shard -> {
      VideoModel m = model.get();
      int k = m.config().numClasses();
      VideoModel.Scorer scorer = m.newScorer();
      VideoBatch batch = new VideoBatch(m.config().features().level(), m.config().inputDim());
      float[] probs = new float[chunkRows * k];
      double videos = 0;
      double sum = 0;
      while (shard.next(batch, chunkRows)) {
        scorer.score(batch, probs);
        for (int i = 0; i < batch.rows * k; i++) {
          sum += probs[i];
        }
        videos += batch.rows;
      }
      return new double[] {videos, sum};
    };
  }

  static Engine.Combine<double[]> plus() {
    return (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]};
  }
}
