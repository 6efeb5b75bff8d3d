package org.vidar.data.batch;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Picks which frames of a video a frame-level model sees. The result depends only on the
 * arguments and the state of {@code random}, so a split generator gives the same frames on any
 * engine.
 */
public final class FrameSampler {
  private FrameSampler() {
  }

  /**
   * Returns {@code k} frame indices in {@code [0, numFrames)}, sorted ascending. When
   * {@code numFrames >= k} they are {@code k} distinct frames, every subset equally likely (selection
   * sampling, Knuth's Algorithm S, one pass); when {@code numFrames < k} they are {@code k}
   * independent uniform draws with replacement, so frames repeat (as the YouTube-8M starter code
   * samples). {@code k == 0} gives an empty array.
   *
   * @throws IllegalArgumentException if {@code k < 0}, {@code numFrames < 0}, or
   *     {@code numFrames == 0 < k}
   */
  public static int[] sample(int numFrames, int k, SplittableRandom random) {
    Objects.requireNonNull(random, "random");
    if (k < 0 || numFrames < 0) {
      throw new IllegalArgumentException("sample: numFrames = " + numFrames + " and k = " + k
          + " must be >= 0");
    }
    int[] out = new int[k];
    if (k == 0) {
      return out;
    }
    if (numFrames == 0) {
      throw new IllegalArgumentException("sample: cannot draw " + k + " frames from a video without frames");
    }
    if (numFrames < k) {
      for (int i = 0; i < k; i++) {
        out[i] = random.nextInt(numFrames);
      }
      Arrays.sort(out);
      return out;
    }
    // Frame t is taken with probability (still needed) / (still left): exactly k, in order.
    int taken = 0;
    for (int t = 0; t < numFrames && taken < k; t++) {
      if (random.nextInt(numFrames - t) < k - taken) {
        out[taken++] = t;
      }
    }
    return out;
  }

  /** The frames {@link #keep} keeps of video {@code id}, of {@code numFrames}: their indices, ascending. */
  public static int[] indices(String id, int numFrames, int sampleFrames, long seed) {
    return sample(numFrames, sampleFrames, new SplittableRandom(seed ^ id.hashCode() * 0x9E3779B97F4A7C15L));
  }

  /**
   * The frames a training run keeps of a frame-level video: {@code sampleFrames} of them drawn with
   * a generator seeded by {@code seed} and the video's id (so the draw does not depend on how the
   * data are split into files or shards), or the record itself when {@code sampleFrames <= 0}.
   */
  public static org.vidar.data.VideoRecord keep(org.vidar.data.VideoRecord r, int sampleFrames, long seed) {
    if (sampleFrames <= 0) {
      return r;
    }
    int[] keep = indices(r.id(), r.numFrames(), sampleFrames, seed);
    int dim = r.dimension();
    float[] f = new float[keep.length * dim];
    for (int i = 0; i < keep.length; i++) {
      System.arraycopy(r.features(), keep[i] * dim, f, i * dim, dim);
    }
    return new org.vidar.data.VideoRecord(r.id(), r.labels(), keep.length, f);
  }
}
