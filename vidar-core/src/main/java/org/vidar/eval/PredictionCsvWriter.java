package org.vidar.eval;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import java.util.Formatter;
import java.util.Locale;
import java.util.Objects;
import org.vidar.data.Excerpt;

/**
 * Writes predictions in the Kaggle YouTube-8M format: header {@value #HEADER}, then per video
 * {@code id,class score class score ...} with scores at 6 significant digits, Locale.ROOT, '\n'
 * line ends, so the same predictions always give the same bytes.
 */
public final class PredictionCsvWriter implements Closeable, Flushable {

  /** The header line the Kaggle challenges expect. */
  public static final String HEADER = "VideoId,LabelConfidencePairs";

  private final Writer out;
  private final StringBuilder line = new StringBuilder(512);
  private final StringBuilder number = new StringBuilder(24);
  private final Formatter formatter = new Formatter(number, Locale.ROOT);
  private long[] topKeys = new long[32];

  /** Wraps {@code out} (buffer it yourself if it is unbuffered) and writes the header. */
  public PredictionCsvWriter(Writer out) throws IOException {
    this.out = Objects.requireNonNull(out, "out");
    out.write(HEADER);
    out.write('\n');
  }

  /**
   * Writes one video's first {@code count} (class, score) pairs in the given order; readers rank
   * them themselves.
   *
   * @throws IllegalArgumentException if the id is empty or holds a comma, quote or line break, a
   *     class is negative, or a score is not finite
   */
  public void write(String videoId, int[] classes, float[] scores, int count) throws IOException {
    Objects.requireNonNull(classes, "classes");
    Objects.requireNonNull(scores, "scores");
    if (count < 0 || count > classes.length || count > scores.length) {
      throw new IllegalArgumentException("count " + count + " outside [0, min("
          + classes.length + ", " + scores.length + ")]");
    }
    checkId(videoId);
    line.setLength(0);
    line.append(videoId).append(',');
    for (int i = 0; i < count; i++) {
      if (classes[i] < 0) {
        throw new IllegalArgumentException("classes[" + i + "] = " + classes[i] + " is negative");
      }
      if (!Float.isFinite(scores[i])) {
        throw new IllegalArgumentException(
            "scores[" + i + "] = " + scores[i] + " is not finite (video " + Excerpt.of(videoId) + ")");
      }
      if (i > 0) {
        line.append(' ');
      }
      line.append(classes[i]).append(' ');
      appendScore(scores[i]);
    }
    line.append('\n');
    out.append(line);
  }

  /**
   * Writes the k best classes of the score vector {@code scores[offset .. offset + numClasses)},
   * best first, equal scores by class index ascending; selects them without a full sort.
   */
  public void writeTop(String videoId, float[] scores, int offset, int numClasses, int k)
      throws IOException {
    Objects.requireNonNull(scores, "scores");
    if (numClasses < 0 || offset < 0 || offset > scores.length - numClasses) {
      throw new IllegalArgumentException("offset " + offset + " + numClasses " + numClasses
          + " exceeds scores.length " + scores.length);
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    checkId(videoId);
    int m = Math.min(k, numClasses);
    if (topKeys.length < m) {
      topKeys = new long[m];
    }
    RankKeys.selectTop(scores, offset, numClasses, null, 0, topKeys, m);
    line.setLength(0);
    line.append(videoId).append(',');
    for (int i = 0; i < m; i++) {
      float score = RankKeys.score(topKeys[i]);
      if (!Float.isFinite(score)) {
        throw new IllegalArgumentException("score of class " + RankKeys.classIndex(topKeys[i])
            + " is not finite (video " + Excerpt.of(videoId) + ")");
      }
      if (i > 0) {
        line.append(' ');
      }
      line.append(RankKeys.classIndex(topKeys[i])).append(' ');
      appendScore(score);
    }
    line.append('\n');
    out.append(line);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** The compact text of a score as written: 6 significant digits, trailing zeros dropped. */
  static String formatScore(float score) {
    StringBuilder sb = new StringBuilder();
    new Formatter(sb, Locale.ROOT).format("%.6g", (double) score);
    return trim(sb).toString();
  }

  private void appendScore(float score) {
    number.setLength(0);
    formatter.format("%.6g", (double) score);
    line.append(trim(number));
  }

  /** Drops trailing zeros of the mantissa ("0.500000" -> "0.5", "1.20000e-05" -> "1.2e-05"). */
  private static StringBuilder trim(StringBuilder sb) {
    if (sb.indexOf(".") < 0) {
      return sb;
    }
    int e = sb.indexOf("e");
    int end = e < 0 ? sb.length() : e;
    int cut = end;
    while (sb.charAt(cut - 1) == '0') {
      cut--;
    }
    if (sb.charAt(cut - 1) == '.') {
      cut--;
    }
    sb.delete(cut, end);
    return sb;
  }

  private static void checkId(String videoId) {
    Objects.requireNonNull(videoId, "videoId");
    if (videoId.isEmpty()) {
      throw new IllegalArgumentException("empty video id");
    }
    for (int i = 0; i < videoId.length(); i++) {
      char ch = videoId.charAt(i);
      if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
        throw new IllegalArgumentException("video id " + Excerpt.of(videoId)
            + " contains a comma, quote or line break, which the CSV format cannot hold");
      }
    }
  }
}
