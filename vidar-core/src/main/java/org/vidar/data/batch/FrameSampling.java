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

  /**
   * The sampling of pre-training epoch {@code epoch}: as many frames, drawn afresh (its own seed
   * from this one's and the epoch), so each epoch sees other frames of a video, as the starter
   * code's random frame sampling per step does. All frames stay all frames.
   */
  public FrameSampling forEpoch(int epoch) {
    return frames == 0 ? this : new FrameSampling(frames, org.vidar.data.Seeds.hash(seed, 3, epoch));
  }

  /**
   * The sampling of Stage 1's draw {@code draw} of each video: draw 0 is this one (the fixed sample
   * the stages read), the others as many frames drawn afresh, on seeds of their own (not an epoch's).
   * All frames stay all frames.
   */
  public FrameSampling forDraw(int draw) {
    return frames == 0 || draw == 0 ? this : new FrameSampling(frames, org.vidar.data.Seeds.hash(seed, 4, draw));
  }

  /** The frames kept of {@code r} (the record itself when all are kept or it is video level). */
  public VideoRecord keep(VideoRecord r, boolean frameLevel) {
    return frameLevel ? FrameSampler.keep(r, frames, seed) : r;
  }
}
