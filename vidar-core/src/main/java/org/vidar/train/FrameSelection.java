package org.vidar.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which frames of a video a model sees: all of them, or a fixed number drawn at random (uniformly
 * without replacement when the video has enough frames, with replacement otherwise), returned in
 * time order.
 */
public final class FrameSelection {
  private FrameSelection() {}

  /** Frames 0 .. n-1. */
  public static int[] all(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  /** {@code k} frame indices below {@code n}, sorted, drawn with {@code random}. */
  public static int[] sample(int n, int k, SplittableRandom random) {
    if (n <= 0 || k <= 0) {
      throw new IllegalArgumentException("need frames and a positive sample size, got n=" + n + ", k=" + k);
    }
    int[] out = new int[k];
    if (n >= k) {
      // Selection sampling (Knuth's algorithm S): each subset of k equally likely, already sorted.
      int chosen = 0;
      for (int i = 0; i < n && chosen < k; i++) {
        if (random.nextInt(n - i) < k - chosen) {
          out[chosen++] = i;
        }
      }
    } else {
      for (int i = 0; i < k; i++) {
        out[i] = random.nextInt(n);
      }
      Arrays.sort(out);
    }
    return out;
  }
}
