package org.vidar.eval;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;
import java.util.Objects;
import org.vidar.data.Excerpt;

/**
 * Streams a Kaggle YouTube-8M prediction CSV one video at a time into reusable arrays, ranking each
 * video's pairs by score descending (equal scores by class ascending) whatever their order in the
 * file. Malformed input throws {@link PredictionFormatException} naming the file and line. Every
 * line, the last one too, ends with a line break ({@code \n}, {@code \r\n} or {@code \r}), as
 * {@link PredictionCsvWriter} writes it: a file that ends inside a line was cut short, and its last
 * line may be a shorter list than the one written, so it is an error rather than a video.
 *
 * <pre>{@code
 * try (var csv = new PredictionCsvReader(reader, "predictions.csv", 3862)) {
 *   while (csv.next()) {
 *     evaluator.add(csv.classes(), csv.scores(), csv.count(), labelsOf(csv.videoId()));
 *   }
 * }
 * }</pre>
 */
public final class PredictionCsvReader implements Closeable {

  private final Reader in;
  private final char[] buffer = new char[1 << 16];
  private int bufferPos;
  private int bufferEnd;
  private final StringBuilder lineText = new StringBuilder(256);
  private final String fileName;
  private final int numClasses;

  private long lineNumber;
  private boolean pendingCr; // the last line ended with \r: a \n right after it belongs to it
  private boolean headerRead;
  private String videoId;
  private int count;
  private int[] classes = new int[32];
  private float[] scores = new float[32];
  private long[] keys = new long[32];
  // seen[c] == videoStamp: class c already appeared on the current line
  private final int[] seen;
  private int videoStamp;

  /**
   * @param in the CSV text, read in blocks (it needs no buffering of its own)
   * @param fileName how errors name the input (a path or URI as the caller knows it)
   * @param numClasses class indices must lie in [0, numClasses)
   */
  public PredictionCsvReader(Reader in, String fileName, int numClasses) {
    Objects.requireNonNull(in, "in");
    this.fileName = Objects.requireNonNull(fileName, "fileName");
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    this.in = in;
    this.numClasses = numClasses;
    this.seen = new int[numClasses];
  }

  /**
   * Reads the next video. Blank lines are skipped.
   *
   * @return false at the end of the input
   * @throws PredictionFormatException on a bad header or a malformed line
   */
  public boolean next() throws IOException {
    if (!headerRead) {
      readHeader();
    }
    String line;
    do {
      line = readLine();
      if (line == null) {
        videoId = null;
        count = 0;
        return false;
      }
      lineNumber++;
    } while (line.isBlank());
    parse(line);
    return true;
  }

  /** Id of the current video. */
  public String videoId() {
    return videoId;
  }

  /** Number of (class, score) pairs of the current video. */
  public int count() {
    return count;
  }

  /**
   * Classes of the current video, best first, in {@code [0, count())}. The array is reused: its
   * content is valid until the next call to {@link #next()}, and it may be longer than count.
   */
  public int[] classes() {
    return classes;
  }

  /** Scores matching {@link #classes()}, non-increasing; reused like it. */
  public float[] scores() {
    return scores;
  }

  /** The name errors give the input. */
  public String fileName() {
    return fileName;
  }

  /** Line number (1-based, header = 1) of the current video. */
  public long lineNumber() {
    return lineNumber;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void readHeader() throws IOException {
    headerRead = true;
    String header = readLine();
    lineNumber = 1;
    if (header == null) {
      throw error("empty file, expected header '" + PredictionCsvWriter.HEADER + "'");
    }
    if (!header.isEmpty() && header.charAt(0) == '\uFEFF') {
      header = header.substring(1); // tolerate a UTF-8 byte order mark from spreadsheet tools
    }
    if (!header.strip().equals(PredictionCsvWriter.HEADER)) {
      throw error("bad header " + Excerpt.of(header) + ", expected '"
          + PredictionCsvWriter.HEADER + "'");
    }
  }

  /**
   * The next line without its line break, or null at the end of the input. A line the input ends
   * inside (no line break after it) is an error naming it; blank text after the last line break is
   * the end.
   */
  private String readLine() throws IOException {
    lineText.setLength(0);
    while (true) {
      if (bufferPos == bufferEnd) {
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
          if (lineText.length() == 0 || lineText.toString().isBlank()) {
            return null;
          }
          lineNumber++;
          throw error("the file ends inside this line, after " + lineText.length() + " characters and without a "
              + "line break: it was cut short (every line, the last one too, ends with a line break)");
        }
        bufferEnd = n;
        bufferPos = 0;
      }
      if (pendingCr) {
        pendingCr = false;
        if (buffer[bufferPos] == '\n') {
          bufferPos++; // the second half of a \r\n
          continue;
        }
      }
      int start = bufferPos;
      while (bufferPos < bufferEnd && buffer[bufferPos] != '\n' && buffer[bufferPos] != '\r') {
        bufferPos++;
      }
      lineText.append(buffer, start, bufferPos - start);
      if (bufferPos < bufferEnd) {
        pendingCr = buffer[bufferPos] == '\r';
        bufferPos++;
        return lineText.toString();
      }
    }
  }

  private void parse(String line) throws PredictionFormatException {
    int comma = line.indexOf(',');
    if (comma < 0) {
      throw error("no comma between video id and label/confidence pairs");
    }
    String id = line.substring(0, comma).strip();
    if (id.isEmpty()) {
      throw error("empty video id");
    }
    if (++videoStamp == 0) {
      Arrays.fill(seen, 0);
      videoStamp = 1;
    }
    int n = 0;
    int tokens = 0;
    int pos = comma + 1;
    int len = line.length();
    int pendingClass = -1;
    while (true) {
      while (pos < len && isSpace(line.charAt(pos))) {
        pos++;
      }
      if (pos >= len) {
        break;
      }
      int start = pos;
      while (pos < len && !isSpace(line.charAt(pos))) {
        pos++;
      }
      tokens++;
      if ((tokens & 1) == 1) {
        pendingClass = parseClass(line, start, pos);
      } else {
        float score = parseScore(line, start, pos, pendingClass);
        if (n == keys.length) {
          keys = Arrays.copyOf(keys, 2 * n);
        }
        keys[n++] = RankKeys.key(score, false, pendingClass);
      }
    }
    if ((tokens & 1) == 1) {
      throw error("odd number of tokens (" + tokens + ") after the video id: class "
          + pendingClass + " has no score");
    }
    Arrays.sort(keys, 0, n);
    if (classes.length < n) {
      classes = new int[keys.length];
      scores = new float[keys.length];
    }
    for (int i = 0; i < n; i++) {
      classes[i] = RankKeys.classIndex(keys[i]);
      scores[i] = RankKeys.score(keys[i]);
    }
    videoId = id;
    count = n;
  }

  private int parseClass(String line, int start, int end) throws PredictionFormatException {
    long value = 0;
    for (int i = start; i < end; i++) {
      char ch = line.charAt(i);
      if (ch < '0' || ch > '9') {
        throw error("class " + Excerpt.of(line.substring(start, end)) + " is not a non-negative integer");
      }
      // Saturate rather than overflow: anything past numClasses is out of range anyway.
      value = Math.min(value * 10 + (ch - '0'), Integer.MAX_VALUE);
    }
    if (value >= numClasses) {
      throw error("class " + Excerpt.of(line.substring(start, end)) + " out of range [0, "
          + numClasses + ")");
    }
    int c = (int) value;
    if (seen[c] == videoStamp) {
      throw error("class " + c + " appears twice");
    }
    seen[c] = videoStamp;
    return c;
  }

  private float parseScore(String line, int start, int end, int classIndex)
      throws PredictionFormatException {
    String token = line.substring(start, end);
    if (token.equalsIgnoreCase("nan")) {
      throw error("score of class " + classIndex + " is NaN");
    }
    // Float.parseFloat alone would also take hex floats, "1f" and "Infinity": accept plain
    // decimals only, so every file Vidar accepts is one any other reader accepts too.
    if (!isDecimal(token)) {
      throw error("score " + Excerpt.of(token) + " of class " + classIndex
          + " is not a number");
    }
    float score = Float.parseFloat(token);
    if (Float.isInfinite(score)) {
      throw error("score " + Excerpt.of(token) + " of class " + classIndex + " overflows a float");
    }
    return score;
  }

  /** [+-]? digits [. digits] | [+-]? . digits, then optionally [eE][+-]?digits. */
  private static boolean isDecimal(String s) {
    int i = 0;
    int n = s.length();
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int expDigits = 0;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        expDigits++;
      }
      if (expDigits == 0) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }

  private static boolean isSpace(char ch) {
    return ch == ' ' || ch == '\t';
  }

  private PredictionFormatException error(String problem) {
    return new PredictionFormatException(fileName, lineNumber, problem);
  }
}
