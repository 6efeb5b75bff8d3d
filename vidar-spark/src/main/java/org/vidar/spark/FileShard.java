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
import org.vidar.data.batch.DataShard;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.VideoBatch;

/**
 * The shard of one Spark partition: its TFRecord files streamed on the executor, batch by batch,
 * with rows L2-normalized and frames sampled exactly as {@code VideoDataset.load} does for the
 * local engine, so both engines see the same videos.
 */
final class FileShard implements DataShard, Closeable {
  private final int index;
  private final VideoReader reader;
  private final boolean frames;
  private final FrameSampling sampling;

  private FileShard(int index, VideoReader reader, boolean frames, FrameSampling sampling) {
    this.index = index;
    this.reader = reader;
    this.frames = frames;
    this.sampling = sampling;
  }

  static FileShard open(int index, List<String> files, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling) throws IOException {
    return new FileShard(index, new VideoReader(DataPaths.resolve(files), spec, policy),
        spec.level() == FeatureSpec.Level.FRAME, sampling);
  }

  @Override
  public boolean next(VideoBatch batch, int maxRows) {
    batch.clear();
    try {
      VideoRecord r;
      while (batch.rows < maxRows && (r = reader.next()) != null) {
        batch.append(sampling.keep(r, frames), null);
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

  /** Records skipped so far under {@link BadRecordPolicy#SKIP}; also written to this executor's log on close. */
  org.vidar.data.SkipReport skipped() {
    return reader.skipped();
  }

  @Override
  public void close() throws IOException {
    if (reader.skipped().total() > 0) {
      LOG.warn("shard {}: {}", index, reader.skipped().summary().trim());
    }
    reader.close();
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileShard.class);
}
