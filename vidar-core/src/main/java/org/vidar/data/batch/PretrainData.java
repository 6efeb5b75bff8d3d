package org.vidar.data.batch;

import java.io.IOException;
import java.util.function.Consumer;
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

  /** Hands every video of one epoch to {@code step} in batches of at most {@code batchSize}. */
  void epoch(int epoch, int batchSize, long seed, Consumer<VideoBatch> step) throws IOException;
}
