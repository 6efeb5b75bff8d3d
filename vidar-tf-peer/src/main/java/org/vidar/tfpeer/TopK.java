package org.vidar.tfpeer;

/** Selects the best-scoring classes of one video's score vector, best first, ties by class index. */
final class TopK {
  private TopK() {}

  /**
   * Writes the indices (relative to {@code offset}) of the {@code k} highest of
   * {@code scores[offset .. offset + n)} into {@code into[0 .. k)}, best first, and returns k.
   * Insertion into a sorted prefix: O(n k) at worst, close to O(n) when k is much smaller than n.
   */
  static int select(float[] scores, int offset, int n, int k, int[] into) {
    int size = 0;
    for (int c = 0; c < n; c++) {
      float s = scores[offset + c];
      if (size == k && !(s > scores[offset + into[k - 1]])) {
        continue;
      }
      int at = size == k ? k - 1 : size++;
      // Equal scores keep the lower class first: a later class moves up only past strictly lower ones.
      while (at > 0 && s > scores[offset + into[at - 1]]) {
        into[at] = into[at - 1];
        at--;
      }
      into[at] = c;
    }
    return size;
  }
}
