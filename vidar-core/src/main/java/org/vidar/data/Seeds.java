package org.vidar.data;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from the run's seed and a path of integers (stage, round,
 * class, shard…), so that no result depends on the order in which an engine schedules work.
 */
public final class Seeds {
  private Seeds() {}

  /** A generator for {@code seed} and the given path. */
  public static SplittableRandom stream(long seed, long... path) {
    return new SplittableRandom(hash(seed, path));
  }

  /** A 64-bit hash of {@code seed} and the given path, the seed of {@link #stream}. */
  public static long hash(long seed, long... path) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (long p : path) {
      h = mix(h ^ mix(p + 0x632BE59BD9B4E019L));
    }
    return h;
  }

  /**
   * A 64-bit key of a video id (FNV-1a over its UTF-16 units, then mixed): the same on every
   * engine, machine and file order, so per-video random choices follow the video, not its position.
   */
  public static long videoKey(String id) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0; i < id.length(); i++) {
      h = (h ^ id.charAt(i)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /** A uniform double in [0, 1) from a hash (its top 53 bits). */
  public static double unit(long hash) {
    return (hash >>> 11) * 0x1p-53;
  }

  /** Stafford's variant 13 of the MurmurHash3 finalizer (as in SplitMix64). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
