package org.vidar.synth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.vidar.data.DataPaths;

/**
 * What {@link SyntheticDatasetWriter} writes and where: the split sizes, shards per split, which
 * levels, and the thread count. Files land under {@code outDir} as
 * {@code video/train-00000-of-00004.tfrecord}, {@code frame/...}, {@code oracle/train-00000-of-00004.csv}
 * (true class probabilities in the Kaggle prediction format), {@code vocabulary.csv} and
 * {@code synth.txt} (the generative model's description).
 *
 * @param outDir directory (local path or Hadoop URI)
 * @param trainVideos videos in the train split
 * @param validateVideos videos in the validate split
 * @param shardsPerSplit files per split and level (at most one per video)
 * @param videoLevel write video-level {@code tf.train.Example} files
 * @param frameLevel write frame-level {@code tf.train.SequenceExample} files
 * @param threads shards written at once
 */
public record SynthLayout(
    String outDir,
    long trainVideos,
    long validateVideos,
    int shardsPerSplit,
    boolean videoLevel,
    boolean frameLevel,
    int threads) {
  public SynthLayout {
    if (outDir == null || outDir.isEmpty()) {
      throw new IllegalArgumentException("an output directory is needed");
    }
    if (trainVideos < 0 || validateVideos < 0 || trainVideos + validateVideos == 0) {
      throw new IllegalArgumentException("video counts must be non-negative and not both zero, got "
          + trainVideos + " train and " + validateVideos + " validate");
    }
    if (shardsPerSplit <= 0) {
      throw new IllegalArgumentException("shardsPerSplit must be positive, got " + shardsPerSplit);
    }
    if (!videoLevel && !frameLevel) {
      throw new IllegalArgumentException("write video-level, frame-level or both");
    }
    if (threads <= 0) {
      throw new IllegalArgumentException("threads must be positive, got " + threads);
    }
  }

  /**
   * Every folder the dataset is written into, each with the names of the files written in it (each
   * written under a temporary name first, {@link DataPaths#createAtomic}).
   */
  public Map<String, Pattern> filesByFolder() {
    Pattern shards = Pattern.compile("(train|validate)-\\d{5}-of-\\d{5}\\.(tfrecord|csv)");
    Map<String, Pattern> folders = new LinkedHashMap<>();
    folders.put(outDir, Pattern.compile("vocabulary\\.csv|synth\\.txt"));
    for (String folder : List.of("video", "frame", "oracle")) {
      folders.put(DataPaths.join(outDir, folder), shards);
    }
    return folders;
  }

  /** Shards for a split of {@code videos} videos: no more shards than videos. */
  int shards(long videos) {
    return (int) Math.max(1, Math.min(shardsPerSplit, videos));
  }

  /** The file name of one shard, e.g. {@code train-00003-of-00010.tfrecord}. */
  static String shardName(String split, int shard, int shards, String extension) {
    return String.format("%s-%05d-of-%05d.%s", split, shard, shards, extension);
  }
}
