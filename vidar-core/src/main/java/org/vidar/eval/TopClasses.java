package org.vidar.eval;

/**
 * The k best classes of a video, best first, ties to the lower class index: the order of a stable
 * sort by descending score. Selection keeps a sorted list of at most k and inserts only what beats
 * its last entry, so a video costs about one comparison a class when k is much smaller than the
 * number of classes.
 */
public final class TopClasses {
  private TopClasses() {}

  /**
   * Writes the best {@code min(k, n)} of {@code scores[offset .. offset + n)} to {@code classes}
   * and {@code best} (class indices 0..n-1 and their scores) and returns how many.
   */
  public static int select(float[] scores, int offset, int n, int k, int[] classes, float[] best) {
    int m = 0;
    int limit = Math.min(k, n);
    for (int c = 0; c < n; c++) {
      m = offer(scores[offset + c], c, m, limit, classes, best);
    }
    return m;
  }

  /**
   * Merges candidate lists (global class indices with their scores, in any order, no class twice)
   * into the best {@code k}, best first, ties to the lower class; returns how many.
   */
  public static int merge(int[] candidates, float[] candidateScores, int count, int k, int[] classes, float[] best) {
    int m = 0;
    int limit = Math.min(k, count);
    for (int i = 0; i < count; i++) {
      m = offer(candidateScores[i], candidates[i], m, limit, classes, best);
    }
    return m;
  }

  /** Inserts class {@code c} into the sorted list of {@code m} (at most {@code limit}) if it belongs; the new size. */
  private static int offer(float s, int c, int m, int limit, int[] classes, float[] best) {
    if (limit == 0 || m == limit && !before(s, c, best[m - 1], classes[m - 1])) {
      return m; // not better than the worst kept
    }
    int at = m == limit ? m - 1 : m++;
    while (at > 0 && before(s, c, best[at - 1], classes[at - 1])) {
      best[at] = best[at - 1];
      classes[at] = classes[at - 1];
      at--;
    }
    best[at] = s;
    classes[at] = c;
    return m;
  }

  private static boolean before(float s, int c, float otherScore, int otherClass) {
    return s > otherScore || (s == otherScore && c < otherClass);
  }
}
