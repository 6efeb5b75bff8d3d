package org.vidar.train;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from the run's seed and a path of integers (stage, round,
 * class, shard…), so that no result depends on the order in which an engine schedules work.
 */
public final class Seeds {
  private Seeds() {}

  /** A generator for {@code seed} and the given path. */
  public static SplittableRandom stream(long seed, long... path) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (long p : path) {
      h = mix(h ^ mix(p + 0x632BE59BD9B4E019L));
    }
    return new SplittableRandom(h);
  }

  /** Stafford's variant 13 of the MurmurHash3 finalizer (as in SplitMix64). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
