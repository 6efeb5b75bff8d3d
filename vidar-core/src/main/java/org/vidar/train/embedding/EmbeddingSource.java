package org.vidar.train.embedding;

import java.io.Serializable;

/**
 * What Stage 1 trains on: every training video's embedding under the frozen trunk, with its
 * labels, read in consecutive chunks. The local engine keeps it in memory ({@link EmbeddingTable});
 * a cluster engine streams it from the shards it wrote to the job's working directory, so a class
 * group's task holds one chunk at a time.
 */
public interface EmbeddingSource extends Serializable {
  /** Width of an embedding. */
  int dim();

  /** Hands every video to {@code consumer}, in a fixed order, in chunks of at most {@code maxRows}. */
  void forEachChunk(int maxRows, ChunkConsumer consumer);

  /**
   * Receives one chunk: {@code rows} embeddings row-major, labels as compressed rows from index 0,
   * and each video's {@link org.vidar.data.Seeds#videoKey} (to hold some out by id).
   */
  @FunctionalInterface
  interface ChunkConsumer {
    void chunk(float[] embeddings, int rows, int[] labels, int[] labelOffsets, long[] keys);
  }
}
