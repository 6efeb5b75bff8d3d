package org.vidar.spark;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
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
        batch.append(frames ? FrameSampler.keep(r, sampleFrames, seed) : r, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("shard " + index + ": reading " + reader.currentFile(), e);
    }
    return batch.rows > 0;
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
