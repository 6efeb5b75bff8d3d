package org.vidar.eval;

/**
 * Packs one ranked entry (score, label, class) into a {@code long} whose natural signed order is the
 * evaluation order: score descending, then negatives before positives, then class ascending.
 *
 * <p>Layout: high 32 bits = bitwise NOT of the order-preserving int image of the score; bit 31 = 1
 * for a positive label; bits 0..30 = class index. Sorting a {@code long[]} then needs no comparator
 * and no objects, and a pooled pair costs 8 bytes.
 */
final class RankKeys {

  static final long POSITIVE_BIT = 1L << 31;
  static final int MAX_CLASSES = Integer.MAX_VALUE; // class indices fit in 31 bits

  private RankKeys() {}

  static long key(float score, boolean positive, int classIndex) {
    // "+ 0.0f" turns -0.0 into +0.0 so the two zeros tie, as they compare equal as floats.
    int bits = Float.floatToRawIntBits(score + 0.0f);
    // Flip the magnitude bits of negative floats so signed int order equals float order.
    bits ^= (bits >> 31) & 0x7fffffff;
    return ((long) ~bits << 32) | (positive ? POSITIVE_BIT : 0L) | classIndex;
  }

  static float score(long key) {
    int bits = ~(int) (key >>> 32);
    bits ^= (bits >> 31) & 0x7fffffff;
    return Float.intBitsToFloat(bits);
  }

  static boolean positive(long key) {
    return (key & POSITIVE_BIT) != 0;
  }

  static int classIndex(long key) {
    return (int) (key & 0x7fffffffL);
  }

  /**
   * Writes into {@code out[0..m)} the m smallest keys (the m best-ranked classes) of
   * {@code scores[offset .. offset + numClasses)}, sorted; a class c is positive when
   * {@code stamps != null && stamps[c] == stamp}. Bounded max-heap: O(numClasses log m), no full
   * sort. Throws IllegalArgumentException on a NaN score.
   */
  static void selectTop(float[] scores, int offset, int numClasses, int[] stamps, int stamp,
      long[] out, int m) {
    if (m == 0) {
      checkNoNaN(scores, offset, numClasses);
      return;
    }
    int size = 0;
    for (int c = 0; c < numClasses; c++) {
      float s = scores[offset + c];
      if (s != s) {
        throw new IllegalArgumentException(
            "scores[" + (offset + c) + "] (class " + c + ") is NaN");
      }
      long k = key(s, stamps != null && stamps[c] == stamp, c);
      if (size < m) {
        // sift up
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (out[parent] >= k) {
            break;
          }
          out[i] = out[parent];
          i = parent;
        }
        out[i] = k;
      } else if (k < out[0]) {
        siftDown(out, m, k);
      }
    }
    java.util.Arrays.sort(out, 0, m);
  }

  /** Replaces the root of the max-heap {@code heap[0..size)} by {@code k} and restores order. */
  private static void siftDown(long[] heap, int size, long k) {
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right] > heap[child]) {
        child = right;
      }
      if (heap[child] <= k) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = k;
  }

  private static void checkNoNaN(float[] scores, int offset, int n) {
    for (int c = 0; c < n; c++) {
      if (Float.isNaN(scores[offset + c])) {
        throw new IllegalArgumentException(
            "scores[" + (offset + c) + "] (class " + c + ") is NaN");
      }
    }
  }
}
