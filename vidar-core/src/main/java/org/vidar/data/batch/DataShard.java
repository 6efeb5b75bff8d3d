package org.vidar.data.batch;

/**
 * One shard of the training videos, read as batches. The local engine's shards are ranges of an
 * in-memory {@link VideoDataset}; a cluster engine's are partitions of the input files.
 */
public interface DataShard {
  /** Fills {@code batch} with up to {@code maxRows} next videos; false when the shard is exhausted. */
  boolean next(VideoBatch batch, int maxRows);

  /** Index of this shard (for per-shard random streams). */
  int index();
}
