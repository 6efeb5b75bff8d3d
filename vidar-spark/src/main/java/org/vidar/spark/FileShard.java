package org.vidar.spark;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.model.layer.FrameSampler;
import org.vidar.train.DataShard;
import org.vidar.train.VideoBatch;

/**
 * The shard of one Spark partition: its TFRecord files streamed on the executor, batch by batch,
 * with rows L2-normalized and frames sampled exactly as {@code VideoDataset.load} does for the
 * local engine, so both engines see the same videos.
 */
final class FileShard implements DataShard, Closeable {
  private final int index;
  private final VideoReader reader;
  private final boolean frames;
  private final int sampleFrames;
  private final long seed;

  private FileShard(int index, VideoReader reader, boolean frames, int sampleFrames, long seed) {
    this.index = index;
    this.reader = reader;
    this.frames = frames;
    this.sampleFrames = sampleFrames;
    this.seed = seed;
  }

  static FileShard open(int index, List<String> files, FeatureSpec spec, BadRecordPolicy policy, int sampleFrames,
      long seed) throws IOException {
    return new FileShard(index, new VideoReader(DataPaths.resolve(files), spec, policy),
        spec.level() == FeatureSpec.Level.FRAME, sampleFrames, seed);
  }

  @Override
  public boolean next(VideoBatch batch, int maxRows) {
    batch.clear();
    try {
      VideoRecord r;
      while (batch.rows < maxRows && (r = reader.next()) != null) {
        batch.append(sampled(r), null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("shard " + index + ": reading " + reader.currentFile(), e);
    }
    return batch.rows > 0;
  }

  /** The frames VideoDataset.load keeps: the same seed per video, so the draw ignores the split. */
  private VideoRecord sampled(VideoRecord r) {
    if (!frames || sampleFrames <= 0) {
      return r;
    }
    int[] keep = FrameSampler.sample(r.numFrames(), sampleFrames,
        new SplittableRandom(seed ^ r.id().hashCode() * 0x9E3779B97F4A7C15L));
    int dim = r.dimension();
    float[] f = new float[keep.length * dim];
    for (int i = 0; i < keep.length; i++) {
      System.arraycopy(r.features(), keep[i] * dim, f, i * dim, dim);
    }
    return new VideoRecord(r.id(), r.labels(), keep.length, f);
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
