package org.vidar.data.batch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.ProgressSink;
import org.vidar.data.Seeds;
import org.vidar.data.SkipReport;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;

/**
 * Videos held in memory for the local engine: ids, labels (compressed rows) and features, every
 * input vector L2-normalized as the YouTube-8M starter code does (per video, or per frame).
 *
 * <p>Video-level data holds one row per video. Frame-level data holds the frames of all videos
 * stacked row-wise with {@link #frameOffsets()}; with a {@link FrameSampling} of {@code frames > 0}
 * each video keeps that many frames drawn by {@link FrameSampler} (with a seed per video, so the draw does not depend on
 * how files are split), which bounds memory whatever the video lengths. Frames {@link #load}ed
 * from files stay quantized in memory, one byte a value ({@link QuantizedRows}), and become floats
 * a batch at a time ({@link #copyRows}).
 */
public final class VideoDataset {
  private final FeatureSpec.Level level;
  private final int dimension;
  private final String[] ids;
  private final int[] labelOffsets;
  private final int[] labels;
  private final float[] features; // null when the rows are quantized
  private final QuantizedRows quantized; // null when the rows are floats
  private final int[] frameOffsets;
  private final SkipReport skipped;
  private final FrameSampling sampling;

  private VideoDataset(FeatureSpec.Level level, int dimension, String[] ids, int[] labelOffsets, int[] labels,
      float[] features, QuantizedRows quantized, int[] frameOffsets, SkipReport skipped) {
    this(level, dimension, ids, labelOffsets, labels, features, quantized, frameOffsets, skipped, FrameSampling.ALL);
  }

  private VideoDataset(FeatureSpec.Level level, int dimension, String[] ids, int[] labelOffsets, int[] labels,
      float[] features, QuantizedRows quantized, int[] frameOffsets, SkipReport skipped, FrameSampling sampling) {
    this.sampling = sampling;
    this.level = level;
    this.dimension = dimension;
    this.ids = ids;
    this.labelOffsets = labelOffsets;
    this.labels = labels;
    this.features = features;
    this.quantized = quantized;
    this.frameOffsets = frameOffsets;
    this.skipped = skipped;
  }

  /** Builds a dataset from arrays (used by tests and by {@link #load}); features are taken as given. */
  public static VideoDataset of(FeatureSpec.Level level, int dimension, String[] ids, int[][] labelLists,
      float[] features, int[] frameOffsets) {
    int[] offsets = new int[ids.length + 1];
    for (int i = 0; i < ids.length; i++) {
      offsets[i + 1] = offsets[i] + labelLists[i].length;
    }
    int[] flat = new int[offsets[ids.length]];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(labelLists[i], 0, flat, offsets[i], labelLists[i].length);
    }
    int rows = level == FeatureSpec.Level.VIDEO ? ids.length : frameOffsets[ids.length];
    if (features.length != (long) rows * dimension) {
      throw new IllegalArgumentException(features.length + " feature values are not " + rows + " rows of " + dimension);
    }
    return new VideoDataset(level, dimension, ids, offsets, flat, features, null, frameOffsets, new SkipReport());
  }

  /** The videos of a batch (already normalized, as batches are) with their ids. */
  static VideoDataset of(VideoBatch batch, String[] ids) {
    int n = batch.rows;
    if (ids.length != n) {
      throw new IllegalArgumentException(ids.length + " ids for " + n + " videos");
    }
    int[] labelOffsets = java.util.Arrays.copyOf(batch.labelOffsets, n + 1);
    int[] labels = java.util.Arrays.copyOf(batch.labels, labelOffsets[n]);
    float[] features = java.util.Arrays.copyOf(batch.features, batch.featureRows() * batch.dimension());
    int[] frameOffsets = batch.level() == FeatureSpec.Level.FRAME ? java.util.Arrays.copyOf(batch.frameOffsets, n + 1)
        : null;
    return new VideoDataset(batch.level(), batch.dimension(), ids.clone(), labelOffsets, labels, features, null,
        frameOffsets, new SkipReport());
  }

  /**
   * These videos, read with {@code sampling}: every frame stays in memory, and {@link #range}
   * shards and batches {@link VideoBatch#gather gathered} from the view see each video's sampled
   * frames only, the ones a file read with that sampling gives (so a local shard equals a streamed
   * one), while pre-training can draw other frames every epoch ({@link FrameSampling#forEpoch}).
   */
  public VideoDataset sampled(FrameSampling sampling) {
    return new VideoDataset(level, dimension, ids, labelOffsets, labels, features, quantized, frameOffsets, skipped,
        level == FeatureSpec.Level.FRAME ? sampling : FrameSampling.ALL);
  }

  /** The frames a shard or a batch sees of each video ({@link FrameSampling#ALL} unless {@link #sampled}). */
  public FrameSampling sampling() {
    return sampling;
  }

  /** The videos {@code videos} of this dataset, in that order (all their frames, the same sampling). */
  public VideoDataset subset(int[] videos) {
    VideoDataset all = quantized != null ? quantizedSubset(videos) : floatSubset(videos);
    return all.sampled(sampling);
  }

  private VideoDataset floatSubset(int[] videos) {
    VideoBatch batch = new VideoBatch(level, dimension);
    batch.gather(this, videos, 0, videos.length, FrameSampling.ALL);
    String[] chosen = new String[videos.length];
    for (int i = 0; i < videos.length; i++) {
      chosen[i] = ids[videos[i]];
    }
    return of(batch, chosen);
  }

  private VideoDataset quantizedSubset(int[] videos) {
    int n = videos.length;
    String[] chosen = new String[n];
    int[] from = new int[n];
    int[] to = new int[n];
    int[] newFrames = new int[n + 1];
    int[] newLabelOffsets = new int[n + 1];
    IntList newLabels = new IntList();
    for (int i = 0; i < n; i++) {
      int v = videos[i];
      chosen[i] = ids[v];
      from[i] = frameOffsets[v];
      to[i] = frameOffsets[v + 1];
      newFrames[i + 1] = newFrames[i] + to[i] - from[i];
      for (int l = labelOffsets[v]; l < labelOffsets[v + 1]; l++) {
        newLabels.add(labels[l]);
      }
      newLabelOffsets[i + 1] = newLabels.size();
    }
    QuantizedRows rows = quantized.select(from, to, (held, more) -> {});
    return new VideoDataset(level, dimension, chosen, newLabelOffsets, newLabels.toArray(), null, rows, newFrames,
        new SkipReport());
  }

  /**
   * Reads every video of {@code files}.
   *
   * @param sampling frame level only: the frames kept per video (all, up to the spec's limit, or a sample)
   */
  public static VideoDataset load(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling) throws IOException {
    return load(files, spec, policy, sampling, MemoryBudget.UNLIMITED);
  }

  /**
   * Reads every video of {@code files} within {@code budget}: before reading, frame-level data whose
   * files hold more values than the heap can take are refused (each stored byte is a value, held as
   * a byte, with 8 bytes a frame for its scale); while reading, each larger array is checked first,
   * which catches what the files' sizes cannot tell (gzip, sampled frames).
   *
   * @throws MemoryBudget.InsufficientMemoryException naming the bytes needed and how to set the heap
   */
  public static VideoDataset load(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling, MemoryBudget budget) throws IOException {
    return load(files, spec, policy, sampling, budget, ProgressSink.NONE);
  }

  /** As above, telling {@code progress} the bytes read, as step "loading". */
  public static VideoDataset load(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling, MemoryBudget budget, ProgressSink progress) throws IOException {
    int dim = spec.dimension();
    boolean frames = spec.level() == FeatureSpec.Level.FRAME;
    long stored = 0;
    boolean sizesTell = frames && sampling.frames() == 0;
    for (InputFile f : files) {
      stored += f.length();
      sizesTell &= !f.name().endsWith(".gz");
    }
    if (sizesTell) {
      // A quantized frame-level file stores one byte a value (and a little protobuf framing), so its
      // size bounds the values it holds; frames past --max-frames make the bound loose. Held as bytes,
      // they take that again, plus a double a frame; a growing segment is briefly held twice.
      long data = stored + stored / dim * Double.BYTES;
      budget.require(data + Math.min(stored, QuantizedRows.SEGMENT_BYTES), "frame-level training on the local "
          + "engine holds its training videos in memory: about " + MemoryBudget.bytes(data) + " (" + stored
          + " stored bytes of " + files.size() + " file(s), one value each, held as a byte), and up to "
          + MemoryBudget.bytes(Math.min(stored, QuantizedRows.SEGMENT_BYTES)) + " more while loading");
    }
    long totalStored = stored;
    List<String> ids = new ArrayList<>();
    IntList labelOffsets = new IntList();
    IntList labels = new IntList();
    IntList frameOffsets = new IntList();
    labelOffsets.add(0);
    frameOffsets.add(0);
    float[] values = null;
    QuantizedRows rows = null;
    SkipReport skipped;
    try (VideoReader reader = new VideoReader(files, spec, policy)) {
      Growth growth = (held, more) -> budget.require(more,
          "loading the training videos into memory needs " + MemoryBudget.bytes(more) + " more, holding "
              + MemoryBudget.bytes(held) + " so far (about " + MemoryBudget.bytes(estimate(held, reader.bytesRead(),
                  totalStored)) + " for all " + files.size() + " file(s))");
      FloatList features = frames ? null : new FloatList(growth);
      QuantizedRows.Builder frameRows = frames ? new QuantizedRows.Builder(dim, growth) : null;
      progress.begin("loading", totalStored, "bytes");
      long reported = 0;
      VideoRecord r;
      while ((r = reader.next()) != null) {
        if ((ids.size() & 255) == 255) {
          long read = reader.bytesRead();
          progress.advance(read - reported);
          reported = read;
        }
        if (!frames) {
          features.addAll(r.features(), 0, dim);
        } else {
          VideoRecord kept = sampling.keep(r, true);
          try {
            frameRows.appendDequantized(kept.features(), 0, kept.numFrames());
          } catch (MemoryBudget.InsufficientMemoryException e) {
            throw e;
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException("video " + org.vidar.data.Excerpt.of(r.id()) + ": " + e.getMessage()
                + " (frames are read from quantized bytes)", e);
          }
          frameOffsets.add(frameOffsets.get(frameOffsets.size() - 1) + kept.numFrames());
        }
        ids.add(r.id());
        labels.addAll(r.labels());
        labelOffsets.add(labels.size());
      }
      progress.advance(reader.bytesRead() - reported);
      progress.end();
      skipped = reader.skipped();
      if (frames) {
        rows = frameRows.build();
      } else {
        values = features.toArray();
      }
    }
    if (values != null) {
      InputNormalization.l2NormalizeRows(values, values.length / dim, dim);
    }
    return new VideoDataset(spec.level(), dim, ids.toArray(new String[0]), labelOffsets.toArray(),
        labels.toArray(), values, rows, frames ? frameOffsets.toArray() : null, skipped);
  }

  public FeatureSpec.Level level() {
    return level;
  }

  /** Values per row (per video, or per frame). */
  public int dimension() {
    return dimension;
  }

  /** Number of videos. */
  public int size() {
    return ids.length;
  }

  /** The video's {@link Seeds#videoKey}. */
  public long key(int video) {
    return Seeds.videoKey(ids[video]);
  }

  public String id(int video) {
    return ids[video];
  }

  /** Labels of all videos, video v's at {@code labelOffsets()[v] .. labelOffsets()[v+1]}. */
  public int[] labels() {
    return labels;
  }

  public int[] labelOffsets() {
    return labelOffsets;
  }

  /** The labels of one video (a copy). */
  public int[] labelsOf(int video) {
    return Arrays.copyOfRange(labels, labelOffsets[video], labelOffsets[video + 1]);
  }

  /**
   * Row-major features: one row per video (video level) or per kept frame (frame level).
   *
   * @throws IllegalStateException for frames held quantized (those {@link #load}ed): read them
   *     with {@link #copyRows} or through a {@link VideoBatch}
   */
  public float[] features() {
    if (features == null) {
      throw new IllegalStateException("the frames are held quantized; read them with copyRows or a VideoBatch");
    }
    return features;
  }

  /** Writes feature rows {@code [firstRow, firstRow + count)}, normalized, into {@code dst[dstOffset]}. */
  public void copyRows(int firstRow, int count, float[] dst, int dstOffset) {
    if (quantized != null) {
      quantized.copyRows(firstRow, count, dst, dstOffset);
    } else {
      System.arraycopy(features, firstRow * dimension, dst, dstOffset, count * dimension);
    }
  }

  /** Feature rows: videos at video level, frames at frame level. */
  public int featureRows() {
    return quantized != null ? quantized.rows() : features.length / dimension;
  }

  /** Bytes the feature rows take in memory. */
  public long featureBytes() {
    return quantized != null ? quantized.bytes() : (long) features.length * Float.BYTES;
  }

  /** Frame level: video v's frames are rows {@code frameOffsets[v] .. frameOffsets[v+1]}; null for video level. */
  public int[] frameOffsets() {
    return frameOffsets;
  }

  /** Records skipped while loading. */
  public SkipReport skipped() {
    return skipped;
  }

  /** Videos {@code [from, to)} as shard {@code index}, read in order. */
  public DataShard range(int index, int from, int to) {
    if (from < 0 || from > to || to > size()) {
      throw new IllegalArgumentException("videos [" + from + ", " + to + ") of " + size());
    }
    return new RangeShard(index, from, to);
  }

  /** Videos [from, to) of this dataset. */
  private final class RangeShard implements DataShard {
    private final int index;
    private final int to;
    private int next;

    RangeShard(int index, int from, int to) {
      this.index = index;
      this.next = from;
      this.to = to;
    }

    @Override
    public boolean next(VideoBatch batch, int maxRows) {
      if (next >= to) {
        return false;
      }
      int end = Math.min(to, next + maxRows);
      batch.gather(VideoDataset.this, null, next, end);
      next = end;
      return true;
    }

    @Override
    public int index() {
      return index;
    }
  }

  /** Positive count of every class below {@code numClasses}. */
  public long[] positivesPerClass(int numClasses) {
    long[] counts = new long[numClasses];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /** A growable int array (no boxing while loading millions of labels). */
  static final class IntList {
    private int[] a = new int[1024];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    void addAll(int[] v) {
      for (int x : v) {
        add(x);
      }
    }

    int get(int i) {
      return a[i];
    }

    int size() {
      return n;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }

  /** The in-memory bytes of all the data, extrapolated from {@code held} for the first {@code read} of {@code total} bytes. */
  private static long estimate(long held, long read, long total) {
    return read <= 0 ? held : (long) ((double) held * Math.max(total, read) / read);
  }

  /** Asked before a {@link FloatList} or {@link QuantizedRows.Builder} allocates {@code bytes} more, holding {@code held}; may refuse. */
  @FunctionalInterface
  interface Growth {
    void allocating(long held, long bytes);
  }

  /** A growable float array. */
  static final class FloatList {
    private final Growth growth;
    private float[] a;
    private long n;

    FloatList(Growth growth) {
      this.growth = growth;
      growth.allocating(0, (1L << 16) * Float.BYTES);
      a = new float[1 << 16];
    }

    void addAll(float[] v, int off, int len) {
      if (n + len > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than 2^31 feature values: the local engine holds one array; "
            + "sample fewer frames or use the Spark engine");
      }
      if (n + len > a.length) {
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(n + len, 2L * a.length));
        growth.allocating(n * Float.BYTES, (long) capacity * Float.BYTES);
        a = Arrays.copyOf(a, capacity);
      }
      System.arraycopy(v, off, a, (int) n, len);
      n += len;
    }

    float[] toArray() {
      growth.allocating(n * Float.BYTES, n * Float.BYTES);
      return Arrays.copyOf(a, (int) n);
    }
  }
}
