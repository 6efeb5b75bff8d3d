package org.vidar.synth;

/**
 * Maps a video index to a YouTube-8M-like id: 4 base-62 characters for the first 62^4 indices,
 * then 5, 6, ... 10 characters. Within each length the map is a seeded permutation, so ids are
 * unique per index and look random, and each index's id is computed alone.
 */
public final class VideoIds {
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int MIN_LENGTH = 4;
  private static final int MAX_LENGTH = 10;
  private static final long ID_DOMAIN = 0x1D5EED1D5EED1DL;
  private static final int ROUNDS = 4;

  /** The number of indices that get an id: 62^4 + 62^5 + ... + 62^10 (about 8.5e17). */
  public static final long MAX_INDEX;

  static {
    long total = 0;
    for (int len = MIN_LENGTH; len <= MAX_LENGTH; len++) {
      total += pow62(len);
    }
    MAX_INDEX = total;
  }

  private VideoIds() {}

  /**
   * The id of video {@code index} in the data set generated with {@code seed}.
   *
   * @throws IllegalArgumentException if the index is negative or at least {@link #MAX_INDEX}
   */
  public static String id(long seed, long index) {
    if (index < 0 || index >= MAX_INDEX) {
      throw new IllegalArgumentException(
          "video index " + index + " outside [0, " + MAX_INDEX + ")");
    }
    int len = MIN_LENGTH;
    long offset = index;
    while (offset >= pow62(len)) {
      offset -= pow62(len);
      len++;
    }
    long code = permute(offset, len, SplitMix64.mix64(seed ^ ID_DOMAIN) + len);
    char[] out = new char[len];
    for (int i = len - 1; i >= 0; i--) {
      out[i] = ALPHABET[(int) (code % 62)];
      code /= 62;
    }
    return new String(out);
  }

  /**
   * An unbalanced Feistel network on [0, 62^len) split as 62^h x 62^(len-h): each round adds a keyed
   * hash of one half to the other modulo its size, which is invertible, so the whole is a bijection.
   */
  private static long permute(long x, int len, long key) {
    int h = len / 2;
    long loSize = pow62(h);
    long hiSize = pow62(len - h);
    long hi = x / loSize;
    long lo = x % loSize;
    for (int r = 0; r < ROUNDS; r++) {
      long roundKey = SplitMix64.mix64(key + r * SplitMix64.GOLDEN_GAMMA);
      lo = (lo + Math.floorMod(SplitMix64.mix64(hi ^ roundKey), loSize)) % loSize;
      hi = (hi + Math.floorMod(SplitMix64.mix64(lo + roundKey), hiSize)) % hiSize;
    }
    return hi * loSize + lo;
  }

  private static long pow62(int n) {
    long p = 1;
    for (int i = 0; i < n; i++) {
      p *= 62;
    }
    return p;
  }
}
