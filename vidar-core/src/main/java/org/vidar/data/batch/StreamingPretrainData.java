package org.vidar.data.batch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.Seeds;
import org.vidar.data.SkipReport;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;

/**
 * Pre-training batches streamed from the training files by the process that runs pre-training, for
 * data too large to hold: every epoch reads the files in a seeded random order through a shuffle
 * buffer of {@code bufferVideos} videos (each arriving video swaps with a random buffered one, which
 * is emitted), so memory is the buffer whatever the data size. Frames are sampled per video as the
 * other engines sample them ({@link FrameSampling}).
 */
public final class StreamingPretrainData implements PretrainData {
  /** Videos in the shuffle buffer. */
  public static final int DEFAULT_BUFFER_VIDEOS = 20_000;

  private final List<InputFile> files;
  private final FeatureSpec spec;
  private final BadRecordPolicy policy;
  private final FrameSampling sampling;
  private final int bufferVideos;
  /** The skips of the pass over the files that skipped the most records so far (every pass reads every file). */
  private SkipReport skips = new SkipReport();

  public StreamingPretrainData(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy, FrameSampling sampling,
      int bufferVideos) {
    if (bufferVideos <= 0) {
      throw new IllegalArgumentException("bufferVideos must be positive, got " + bufferVideos);
    }
    this.files = List.copyOf(files);
    this.spec = spec;
    this.policy = policy;
    this.sampling = sampling;
    this.bufferVideos = bufferVideos;
  }

  @Override
  public FeatureSpec.Level level() {
    return spec.level();
  }

  @Override
  public int dimension() {
    return spec.dimension();
  }

  @Override
  public void epoch(int epoch, int batchSize, long seed, LongPredicate skip, Consumer<VideoBatch> step)
      throws IOException {
    SplittableRandom random = Seeds.stream(seed, 0, epoch + 1);
    FrameSampling epochFrames = sampling.forEpoch(epoch);
    int[] order = InMemoryPretrainData.shuffled(files.size(), random);
    List<InputFile> shuffledFiles = new ArrayList<>(files.size());
    for (int i : order) {
      shuffledFiles.add(files.get(i));
    }
    List<VideoRecord> buffer = new ArrayList<>(bufferVideos);
    VideoBatch batch = new VideoBatch(spec.level(), spec.dimension());
    batch.clear();
    boolean frames = spec.level() == FeatureSpec.Level.FRAME;
    try (VideoReader reader = new VideoReader(shuffledFiles, spec, policy)) {
      VideoRecord r;
      while ((r = reader.next()) != null) {
        if (skip.test(Seeds.videoKey(r.id()))) {
          continue;
        }
        VideoRecord v = epochFrames.keep(r, frames);
        if (buffer.size() < bufferVideos) {
          buffer.add(v);
          continue;
        }
        int j = random.nextInt(bufferVideos);
        VideoRecord out = buffer.get(j);
        buffer.set(j, v);
        emit(out, batch, batchSize, step);
      }
      noteSkips(reader);
    }
    while (!buffer.isEmpty()) {
      int j = random.nextInt(buffer.size());
      VideoRecord out = buffer.get(j);
      buffer.set(j, buffer.get(buffer.size() - 1));
      buffer.remove(buffer.size() - 1);
      emit(out, batch, batchSize, step);
    }
    if (batch.rows > 0) {
      step.accept(batch);
    }
  }

  @Override
  public VideoDataset select(LongPredicate keep, int max) throws IOException {
    VideoBatch batch = new VideoBatch(spec.level(), spec.dimension());
    batch.clear();
    List<String> ids = new ArrayList<>();
    boolean frames = spec.level() == FeatureSpec.Level.FRAME;
    try (VideoReader reader = new VideoReader(files, spec, policy)) {
      VideoRecord r;
      while (ids.size() < max && (r = reader.next()) != null) {
        if (keep.test(Seeds.videoKey(r.id()))) {
          batch.append(sampling.keep(r, frames), null);
          ids.add(r.id());
        }
      }
    }
    return VideoDataset.of(batch, ids.toArray(new String[0]));
  }

  /**
   * The records skipped under {@link BadRecordPolicy#SKIP} by the pass over the files that skipped
   * the most (each epoch reads every file, so the same bad records come back every epoch).
   */
  public SkipReport skipped() {
    return skips;
  }

  private void noteSkips(VideoReader reader) {
    if (reader.skipped().total() > skips.total()) {
      skips = reader.skipped();
    }
  }

  private static void emit(VideoRecord r, VideoBatch batch, int batchSize, Consumer<VideoBatch> step) {
    batch.append(r, null);
    if (batch.rows == batchSize) {
      step.accept(batch);
      batch.clear();
    }
  }
}
