package org.vidar.data.batch;

import java.util.Arrays;
import org.vidar.data.Excerpt;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.VideoRecord;

/**
 * A batch of videos in the layout the model reads: features row-major (one row per video, or the
 * frames of all videos stacked with {@link #frameOffsets}), labels as compressed rows. Buffers are
 * reused from batch to batch and grow as needed; {@link #rows} says how many videos are valid.
 */
public final class VideoBatch {
  private final FeatureSpec.Level level;
  private final int dimension;
  /** Videos in the batch. */
  public int rows;
  /** Feature rows (videos, or frames at frame level). */
  public float[] features = new float[0];
  /** Frame level: video v's frames are rows frameOffsets[v] .. frameOffsets[v+1]; rows + 1 entries. */
  public int[] frameOffsets = new int[1];
  /** Video v's labels are labels[labelOffsets[v] .. labelOffsets[v+1]]; rows + 1 entries. */
  public int[] labelOffsets = new int[1];
  public int[] labels = new int[0];
  /** Index of each video in its source (for writing results back in order). */
  public int[] sourceIndex = new int[0];
  /** Each video's {@link Seeds#videoKey} (of its id): per-video random choices that follow the video. */
  public long[] keys = new long[0];

  public VideoBatch(FeatureSpec.Level level, int dimension) {
    this.level = level;
    this.dimension = dimension;
  }

  public FeatureSpec.Level level() {
    return level;
  }

  public int dimension() {
    return dimension;
  }

  /** Feature rows in use: videos at video level, frames at frame level. */
  public int featureRows() {
    return level == FeatureSpec.Level.VIDEO ? rows : frameOffsets[rows];
  }

  /** Fills the batch with the given videos of a dataset, in the given order, as it samples frames. */
  public void gather(VideoDataset data, int[] videos, int from, int to) {
    gather(data, videos, from, to, data.sampling());
  }

  /**
   * Fills the batch with videos {@code videos[from..to)} of a dataset (or {@code [from, to)} when
   * {@code videos} is null), each frame-level video with the frames {@code sampling} keeps of it
   * ({@link FrameSampler#keep}'s, drawn from all the frames the dataset holds).
   */
  public void gather(VideoDataset data, int[] videos, int from, int to, FrameSampling sampling) {
    if (dimension != 0 && dimension != data.dimension()) {
      throw new IllegalArgumentException("a batch of width " + dimension + " gathers from data of width "
          + data.dimension());
    }
    int n = to - from;
    resize(n);
    int labelCount = 0;
    int featureRows = 0;
    int[] lo = data.labelOffsets();
    int[] fo = data.frameOffsets();
    for (int i = 0; i < n; i++) {
      int v = videos == null ? from + i : videos[from + i];
      sourceIndex[i] = v;
      keys[i] = data.key(v);
      labelCount += lo[v + 1] - lo[v];
      featureRows += fo == null ? 1 : sampling.frames() > 0 ? sampling.frames() : fo[v + 1] - fo[v];
    }
    labels = grow(labels, labelCount);
    features = grow(features, featureRows * dimension);
    labelOffsets[0] = 0;
    frameOffsets[0] = 0;
    int[] src = data.labels();
    for (int i = 0; i < n; i++) {
      int v = sourceIndex[i];
      int len = lo[v + 1] - lo[v];
      System.arraycopy(src, lo[v], labels, labelOffsets[i], len);
      labelOffsets[i + 1] = labelOffsets[i] + len;
      int firstRow = fo == null ? v : fo[v];
      int held = fo == null ? 1 : fo[v + 1] - fo[v];
      int frames = fo == null || sampling.frames() == 0 ? held : sampling.frames();
      if (dimension > 0 && frames == held) { // a batch of width 0 gathers labels only
        data.copyRows(firstRow, frames, features, frameOffsets[i] * dimension);
      } else if (dimension > 0) {
        int[] kept = FrameSampler.indices(data.id(v), held, frames, sampling.seed());
        for (int t = 0; t < frames; t++) {
          data.copyRows(firstRow + kept[t], 1, features, (frameOffsets[i] + t) * dimension);
        }
      }
      frameOffsets[i + 1] = frameOffsets[i] + frames;
    }
  }

  /** Fills the batch with videos {@code [from, to)} of {@code src}, in order (a part of a mini-batch). */
  public void copyRows(VideoBatch src, int from, int to) {
    if (src.level != level || src.dimension != dimension || from < 0 || from > to || to > src.rows) {
      throw new IllegalArgumentException("rows [" + from + ", " + to + ") of a batch of " + src.rows);
    }
    int n = to - from;
    resize(n);
    System.arraycopy(src.sourceIndex, from, sourceIndex, 0, n);
    System.arraycopy(src.keys, from, keys, 0, n);
    int l0 = src.labelOffsets[from];
    int l1 = src.labelOffsets[to];
    labels = grow(labels, l1 - l0);
    System.arraycopy(src.labels, l0, labels, 0, l1 - l0);
    boolean video = level == FeatureSpec.Level.VIDEO;
    int r0 = video ? from : src.frameOffsets[from];
    int r1 = video ? to : src.frameOffsets[to];
    features = grow(features, (r1 - r0) * dimension);
    System.arraycopy(src.features, r0 * dimension, features, 0, (r1 - r0) * dimension);
    for (int i = 0; i <= n; i++) {
      labelOffsets[i] = src.labelOffsets[from + i] - l0;
      frameOffsets[i] = video ? i : src.frameOffsets[from + i] - r0;
    }
  }

  /** Holds {@code n} videos: the per-video arrays grown to fit (features and labels are the caller's). */
  private void resize(int n) {
    rows = n;
    sourceIndex = grow(sourceIndex, n);
    keys = grow(keys, n);
    labelOffsets = grow(labelOffsets, n + 1);
    frameOffsets = grow(frameOffsets, n + 1);
  }

  /** Empties the batch (buffers are kept). */
  public void clear() {
    rows = 0;
    frameOffsets[0] = 0;
    labelOffsets[0] = 0;
  }

  /**
   * Appends one decoded record, L2-normalizing each of its rows as the training data are; ids go to
   * {@code ids[rows]} when {@code ids} is non-null.
   */
  public void append(VideoRecord r, String[] ids) {
    int i = rows;
    int frames = level == FeatureSpec.Level.VIDEO ? 1 : r.numFrames();
    if (level == FeatureSpec.Level.VIDEO && r.numFrames() != 1) {
      throw new IllegalArgumentException("video " + Excerpt.of(r.id()) + ": a video-level batch takes one row per video");
    }
    sourceIndex = grow(sourceIndex, i + 1);
    keys = grow(keys, i + 1);
    labelOffsets = grow(labelOffsets, i + 2);
    frameOffsets = grow(frameOffsets, i + 2);
    int firstLabel = labelOffsets[i];
    labels = grow(labels, firstLabel + r.labels().length);
    System.arraycopy(r.labels(), 0, labels, firstLabel, r.labels().length);
    labelOffsets[i + 1] = firstLabel + r.labels().length;
    int firstRow = frameOffsets[i];
    int needed = (firstRow + frames) * dimension;
    if (features.length < needed) {
      features = Arrays.copyOf(features, Math.max(needed, features.length + (features.length >> 1)));
    }
    System.arraycopy(r.features(), 0, features, firstRow * dimension, frames * dimension);
    if (dimension > 0) {
      InputNormalization.l2NormalizeRows(features, firstRow, frames, dimension);
    }
    frameOffsets[i + 1] = firstRow + frames;
    sourceIndex[i] = i;
    keys[i] = Seeds.videoKey(r.id());
    if (ids != null) {
      ids[i] = r.id();
    }
    rows++;
  }

  /**
   * Keeps only the videos whose key {@code keep} accepts, in order, moving their labels and feature
   * rows down in place.
   */
  public void retain(java.util.function.LongPredicate keep) {
    int kept = 0;
    int labelEnd = 0;
    int rowEnd = 0;
    int labelStart = labelOffsets[0];
    int rowStart = 0;
    for (int i = 0; i < rows; i++) {
      // Read video i's ends before anything at index i + 1 can be written (kept + 1 <= i + 1).
      int labelStop = labelOffsets[i + 1];
      int rowStop = level == FeatureSpec.Level.VIDEO ? i + 1 : frameOffsets[i + 1];
      if (keep.test(keys[i])) {
        System.arraycopy(labels, labelStart, labels, labelEnd, labelStop - labelStart);
        System.arraycopy(features, rowStart * dimension, features, rowEnd * dimension,
            (rowStop - rowStart) * dimension);
        labelEnd += labelStop - labelStart;
        rowEnd += rowStop - rowStart;
        keys[kept] = keys[i];
        sourceIndex[kept] = sourceIndex[i];
        labelOffsets[kept + 1] = labelEnd;
        frameOffsets[kept + 1] = rowEnd;
        kept++;
      }
      labelStart = labelStop;
      rowStart = rowStop;
    }
    labelOffsets[0] = 0;
    frameOffsets[0] = 0;
    rows = kept;
  }

  private static long[] grow(long[] a, int n) {
    return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length + (a.length >> 1)));
  }

  private static int[] grow(int[] a, int n) {
    return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length + (a.length >> 1)));
  }

  private static float[] grow(float[] a, int n) {
    return a.length >= n ? a : new float[Math.max(n, a.length + (a.length >> 1))];
  }
}
