package org.vidar.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The YouTube-8M figures of one evaluation together with the counts behind them, so a figure can be
 * checked, and reports from several runs compared. Immutable: the arrays are copied in and out.
 *
 * @param numClasses number of classes
 * @param topK the k of GAP@k and of the top-k MAP
 * @param hit1 Hit@1 over all videos ({@code hit1Count / videos}); NaN without videos
 * @param perr PERR over all videos, a video without labels counting 0 (the starter code's);
 *     NaN without videos
 * @param perrLabelledOnly PERR over videos with at least one label (the technical report's); NaN
 *     without such videos
 * @param gap GAP@k; 0 when there are no positives, as in the starter code
 * @param map the starter code's MAP: mean per-class AP of the pooled top-k pairs over the classes
 *     with at least one positive; NaN when no class has one
 * @param videos videos evaluated
 * @param videosWithLabels videos with at least one label
 * @param totalPositives P: all positive labels of all videos, the GAP denominator
 * @param pooledPairs (score, label) pairs kept: sum over videos of min(k, ranked entries)
 * @param positivesInTopK positives among the pooled pairs; GAP cannot exceed this over P
 * @param hit1Count videos whose top class is labelled
 * @param classesWithPositives classes with at least one positive: the MAP denominator
 * @param classAp per-class AP over the pooled top-k pairs; NaN for classes without positives
 * @param classPositives per-class number of positives
 */
public record EvalReport(
    int numClasses,
    int topK,
    double hit1,
    double perr,
    double perrLabelledOnly,
    double gap,
    double map,
    long videos,
    long videosWithLabels,
    long totalPositives,
    long pooledPairs,
    long positivesInTopK,
    long hit1Count,
    int classesWithPositives,
    double[] classAp,
    long[] classPositives) {

  public EvalReport {
    if (classAp == null || classPositives == null) {
      throw new IllegalArgumentException("classAp and classPositives are required");
    }
    if (classAp.length != numClasses || classPositives.length != numClasses) {
      throw new IllegalArgumentException("classAp (" + classAp.length + ") and classPositives ("
          + classPositives.length + ") must have numClasses (" + numClasses + ") entries");
    }
    if (videosWithLabels > videos || hit1Count > videos || positivesInTopK > totalPositives) {
      throw new IllegalArgumentException("inconsistent counts: videos=" + videos
          + ", videosWithLabels=" + videosWithLabels + ", hit1Count=" + hit1Count
          + ", positivesInTopK=" + positivesInTopK + ", totalPositives=" + totalPositives);
    }
    classAp = classAp.clone();
    classPositives = classPositives.clone();
  }

  /** A copy of the per-class AP array; NaN for classes without positives. */
  @Override
  public double[] classAp() {
    return classAp.clone();
  }

  /** A copy of the per-class positive counts. */
  @Override
  public long[] classPositives() {
    return classPositives.clone();
  }

  /** AP of one class without copying the array; NaN if the class has no positives. */
  public double classAp(int classIndex) {
    return classAp[classIndex];
  }

  /** Positives of one class without copying the array. */
  public long classPositives(int classIndex) {
    return classPositives[classIndex];
  }

  /** A short human-readable table of the figures and their counts, lines ending in '\n'. */
  public String toTable() {
    StringBuilder sb = new StringBuilder(512);
    line(sb, "YouTube-8M evaluation: %d classes, k = %d\n", numClasses, topK);
    line(sb, "  %-18s %d (%d with labels)\n", "videos", videos, videosWithLabels);
    line(sb, "  %-18s %d (%d in top %d, %s)\n", "positives", totalPositives, positivesInTopK,
        topK, percent(positivesInTopK, totalPositives));
    line(sb, "  %-18s %.6f  (%d / %d videos)\n", "Hit@1", hit1, hit1Count, videos);
    line(sb, "  %-18s %.6f  (all videos; unlabelled count 0)\n", "PERR", perr);
    line(sb, "  %-18s %.6f  (%d videos with labels)\n", "PERR labelled only", perrLabelledOnly,
        videosWithLabels);
    line(sb, "  %-18s %.6f  (%d pooled pairs)\n", "GAP@" + topK, gap, pooledPairs);
    line(sb, "  %-18s %.6f  (mean over %d classes with positives)\n", "MAP (top-" + topK + ")",
        map, classesWithPositives);
    return sb.toString();
  }

  /** Component-wise equality, comparing the per-class arrays by content. */
  @Override
  public boolean equals(Object o) {
    return o instanceof EvalReport r
        && numClasses == r.numClasses && topK == r.topK
        && Double.compare(hit1, r.hit1) == 0 && Double.compare(perr, r.perr) == 0
        && Double.compare(perrLabelledOnly, r.perrLabelledOnly) == 0
        && Double.compare(gap, r.gap) == 0 && Double.compare(map, r.map) == 0
        && videos == r.videos && videosWithLabels == r.videosWithLabels
        && totalPositives == r.totalPositives && pooledPairs == r.pooledPairs
        && positivesInTopK == r.positivesInTopK && hit1Count == r.hit1Count
        && classesWithPositives == r.classesWithPositives
        && Arrays.equals(classAp, r.classAp) && Arrays.equals(classPositives, r.classPositives);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(numClasses, topK, hit1, perr, perrLabelledOnly, gap, map, videos,
        videosWithLabels, totalPositives, pooledPairs, positivesInTopK, hit1Count,
        classesWithPositives);
    return 31 * (31 * h + Arrays.hashCode(classAp)) + Arrays.hashCode(classPositives);
  }

  @Override
  public String toString() {
    return toTable();
  }

  private static void line(StringBuilder sb, String format, Object... args) {
    // Locale.ROOT and '\n' rather than %n: the table is diffed and tested, on any platform.
    sb.append(String.format(Locale.ROOT, format, args));
  }

  private static String percent(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }
}
