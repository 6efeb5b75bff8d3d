package org.vidar.data.batch;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.vidar.data.FeatureSpec;

/**
 * The mini-batches of joint pre-training, an epoch at a time, shuffled deterministically for the
 * seed and epoch: from memory ({@link InMemoryPretrainData}) or streamed from the training files
 * with a bounded shuffle buffer ({@link StreamingPretrainData}).
 */
public interface PretrainData {
  FeatureSpec.Level level();

  /** Values per feature row. */
  int dimension();

  /** The videos an epoch reads before any is held out, or -1 when that is not known without reading them. */
  default long size() {
    return -1;
  }

  /** Hands every video of one epoch to {@code step} in batches of at most {@code batchSize}. */
  default void epoch(int epoch, int batchSize, long seed, Consumer<VideoBatch> step) throws IOException {
    epoch(epoch, batchSize, seed, key -> false, step);
  }

  /**
   * As above, leaving out the videos whose {@link org.vidar.data.Seeds#videoKey} {@code skip}
   * accepts (a held-out slice); the others come in the order they would without it.
   */
  void epoch(int epoch, int batchSize, long seed, LongPredicate skip, Consumer<VideoBatch> step) throws IOException;

  /**
   * The videos whose key {@code keep} accepts, at most {@code max} of them, in the data's order,
   * each row L2-normalized as the batches are (a held-out slice to score).
   */
  VideoDataset select(LongPredicate keep, int max) throws IOException;
}
