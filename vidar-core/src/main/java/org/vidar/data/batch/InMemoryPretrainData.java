package org.vidar.data.batch;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;

/**
 * Pre-training batches from an in-memory dataset: a full shuffle per epoch (Fisher–Yates); a
 * {@link VideoDataset#sampled sampled} frame-level dataset gives each epoch its own draw of frames.
 */
public final class InMemoryPretrainData implements PretrainData {
  private final VideoDataset data;

  public InMemoryPretrainData(VideoDataset data) {
    this.data = data;
  }

  @Override
  public FeatureSpec.Level level() {
    return data.level();
  }

  @Override
  public long size() {
    return data.size();
  }

  @Override
  public int dimension() {
    return data.dimension();
  }

  @Override
  public void epoch(int epoch, int batchSize, long seed, LongPredicate skip, Consumer<VideoBatch> step) {
    int[] order = shuffled(data.size(), Seeds.stream(seed, 0, epoch + 1));
    int n = 0;
    for (int v : order) {
      if (!skip.test(data.key(v))) {
        order[n++] = v;
      }
    }
    VideoBatch batch = new VideoBatch(data.level(), data.dimension());
    FrameSampling frames = data.sampling().forEpoch(epoch);
    for (int s = 0; s < n; s += batchSize) {
      batch.gather(data, order, s, Math.min(n, s + batchSize), frames);
      step.accept(batch);
    }
  }

  @Override
  public VideoDataset select(LongPredicate keep, int max) {
    int[] chosen = new int[Math.min(max, data.size())];
    int n = 0;
    for (int v = 0; v < data.size() && n < chosen.length; v++) {
      if (keep.test(data.key(v))) {
        chosen[n++] = v;
      }
    }
    return data.subset(java.util.Arrays.copyOf(chosen, n));
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
