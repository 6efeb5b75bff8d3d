package org.vidar.data.batch;

import org.vidar.data.VideoRecord;

/**
 * Which frames of a frame-level video training reads: {@code frames} of them drawn with a
 * generator seeded by {@code seed} and the video's id ({@link FrameSampler#keep}), so every engine
 * and file split keeps the same frames; {@code frames == 0} keeps them all. Video-level records
 * pass unchanged.
 */
public record FrameSampling(int frames, long seed) implements java.io.Serializable {
  /** Every frame. */
  public static final FrameSampling ALL = new FrameSampling(0, 0);

  public FrameSampling {
    if (frames < 0) {
      throw new IllegalArgumentException("frames sampled per video must be >= 0, got " + frames);
    }
  }

  /** The frames kept of {@code r} (the record itself when all are kept or it is video level). */
  public VideoRecord keep(VideoRecord r, boolean frameLevel) {
    return frameLevel ? FrameSampler.keep(r, frames, seed) : r;
  }
}
