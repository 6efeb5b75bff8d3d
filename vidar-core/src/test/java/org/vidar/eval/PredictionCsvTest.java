package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PredictionCsvTest {

  private static final String H = "VideoId,LabelConfidencePairs\n";

  @Test
  void writesCompactDeterministicText() throws IOException {
    StringWriter text = new StringWriter();
    try (PredictionCsvWriter w = new PredictionCsvWriter(text)) {
      w.write("vidA", new int[] {3, 0, 7}, new float[] {0.953125f, 0.5f, 1f}, 3);
      w.write("vidB", new int[] {2, 1}, new float[] {0.1f, 1.2e-5f}, 2);
      w.write("vidC", new int[0], new float[0], 0);
      w.write("vidD", new int[] {5}, new float[] {2.5e7f}, 1);
      w.write("vidE", new int[] {4}, new float[] {1f / 3}, 1);
    }
    assertEquals(H
        + "vidA,3 0.953125 0 0.5 7 1\n"
        + "vidB,2 0.1 1 1.2e-05\n"
        + "vidC,\n"
        + "vidD,5 2.5e+07\n"
        + "vidE,4 0.333333\n", text.toString());
  }

  @Test
  void writeTopSelectsBestClasses() throws IOException {
    StringWriter text = new StringWriter();
    try (PredictionCsvWriter w = new PredictionCsvWriter(text)) {
      // offset 2; classes 0..4 score 0.1 0.75 0.5 0.75 0; ties by class ascending
      w.writeTop("v", new float[] {9, 9, 0.1f, 0.75f, 0.5f, 0.75f, 0f}, 2, 5, 3);
      w.writeTop("w", new float[] {0.25f, 0.5f}, 0, 2, 20); // k larger than the class count
    }
    assertEquals(H + "v,1 0.75 3 0.75 2 0.5\n" + "w,1 0.5 0 0.25\n", text.toString());
  }

  @Test
  void roundTripRanksPairsByScore() throws IOException {
    StringWriter text = new StringWriter();
    try (PredictionCsvWriter w = new PredictionCsvWriter(text)) {
      w.write("a", new int[] {1, 3, 0}, new float[] {0.25f, 0.875f, 0.5f}, 3);
      w.write("b", new int[0], new float[0], 0);
      w.write("c", new int[] {2, 0}, new float[] {0.123456789f, 0.123456f}, 2);
    }
    try (PredictionCsvReader r = new PredictionCsvReader(
        new StringReader(text.toString()), "mem.csv", 4)) {
      assertTrue(r.next());
      assertEquals("a", r.videoId());
      assertEquals(2, r.lineNumber());
      assertEquals(3, r.count());
      assertArrayEquals(new int[] {3, 0, 1}, Arrays.copyOf(r.classes(), 3));
      assertArrayEquals(new float[] {0.875f, 0.5f, 0.25f}, Arrays.copyOf(r.scores(), 3));
      assertTrue(r.next());
      assertEquals("b", r.videoId());
      assertEquals(0, r.count());
      assertTrue(r.next());
      assertEquals("c", r.videoId());
      // 6 significant digits: 0.123456789 is written as 0.123457, which now ranks first
      assertArrayEquals(new int[] {2, 0}, Arrays.copyOf(r.classes(), 2));
      assertEquals(0.123457f, r.scores()[0]);
      assertEquals(0.123456f, r.scores()[1]);
      assertFalse(r.next());
      assertFalse(r.next());
    }
  }

  @Test
  void readerToleratesBomBlankLinesCrLfAndRepeatedSpaces() throws IOException {
    String csv = "\uFEFFVideoId,LabelConfidencePairs\r\n"
        + "x, 2 0.5  1 0.75 \r\n"
        + "\r\n"
        + "y,0 1e-3\r\n";
    try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(csv), "f.csv", 3)) {
      assertTrue(r.next());
      assertEquals(2, r.count());
      assertArrayEquals(new int[] {1, 2}, Arrays.copyOf(r.classes(), 2));
      assertTrue(r.next());
      assertEquals("y", r.videoId());
      assertEquals(4, r.lineNumber());
      assertEquals(0.001f, r.scores()[0]);
      assertFalse(r.next());
    }
  }

  @Test
  void csvFeedsEvaluatorLikeScoreVectors() throws IOException {
    // The hand-worked case of YouTube8mEvaluatorTest, through a file cut at k = 2.
    float[][] scores = {{0.9f, 0.8f, 0.1f, 0f}, {0.2f, 0.7f, 0.6f, 0.3f}, {0.5f, 0.4f, 0.35f, 0.05f}};
    int[][] labels = {{0, 2}, {2}, {}};
    StringWriter text = new StringWriter();
    try (PredictionCsvWriter w = new PredictionCsvWriter(text)) {
      for (int v = 0; v < 3; v++) {
        w.writeTop("v" + v, scores[v], 0, 4, 2);
      }
    }
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 2);
    try (PredictionCsvReader r = new PredictionCsvReader(
        new StringReader(text.toString()), "mem.csv", 4)) {
      int v = 0;
      while (r.next()) {
        ev.add(r.classes(), r.scores(), r.count(), labels[v++]);
      }
    }
    EvalReport rep = ev.report();
    assertEquals(0.5, rep.gap(), 1e-12);
    assertEquals(0.75, rep.map(), 1e-12);
    assertEquals(1.0 / 6, rep.perr(), 1e-12);
  }

  @Test
  void errorsNameFileLineAndProblem() {
    assertError("", "preds.csv:1: empty file");
    assertError("id,pairs\n", "preds.csv:1: bad header 'id,pairs'");
    assertError(H + "a,1 0.5\nb,1 0.5 2\n", "preds.csv:3: odd number of tokens (3)");
    assertError(H + "a,x 0.5\n", "preds.csv:2: class 'x' is not a non-negative integer");
    assertError(H + "a,-1 0.5\n", "preds.csv:2: class '-1' is not a non-negative integer");
    assertError(H + "a,1 high\n", "preds.csv:2: score 'high' of class 1 is not a number");
    assertError(H + "a,1 0x1p-3\n", "is not a number");
    assertError(H + "a,1 Infinity\n", "is not a number");
    assertError(H + "a,1 1e99\n", "preds.csv:2: score '1e99' of class 1 overflows a float");
    assertError(H + "a,4 0.5\n", "preds.csv:2: class '4' out of range [0, 4)");
    assertError(H + "a,99999999999999 0.5\n", "class '99999999999999' out of range [0, 4)");
    assertError(H + "a,1 NaN\n", "preds.csv:2: score of class 1 is NaN");
    assertError(H + "a,1 0.5 1 0.25\n", "preds.csv:2: class 1 appears twice");
    assertError(H + "a 1 0.5\n", "preds.csv:2: no comma");
    assertError(H + ",1 0.5\n", "preds.csv:2: empty video id");
  }

  /**
   * The writer ends every line with a line break, so a file that ends inside a line was cut short:
   * an error naming the file and that line, never a video with fewer pairs than were written.
   */
  @Test
  void aFileThatEndsInsideALineWasCutShort() throws IOException {
    assertError(H + "a,1 0.5\nb,1 0.5 2 0.25", "preds.csv:3: the file ends inside this line, after 14 characters");
    assertError(H + "a,1 0.5\r\nb,1 0.5", "preds.csv:3: the file ends inside this line");
    assertError(H + "a,1 0.5\nb,1 0.", "cut short");
    assertError(H.trim(), "preds.csv:1: the file ends inside this line");

    StringWriter text = new StringWriter();
    try (PredictionCsvWriter w = new PredictionCsvWriter(text)) {
      w.write("first", new int[] {1, 3, 0}, new float[] {0.25f, 0.875f, 0.5f}, 3);
      w.write("second", new int[] {2}, new float[] {0.125f}, 1);
      w.write("third", new int[] {0, 2}, new float[] {0.75f, 0.0625f}, 2);
    }
    String whole = text.toString();
    for (int cut = 1; cut <= whole.length(); cut++) {
      String part = whole.substring(0, cut);
      if (part.endsWith("\n")) {
        int lines = 0;
        try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(part), "cut.csv", 4)) {
          while (r.next()) {
            lines++;
          }
        }
        assertEquals(part.split("\n").length - 1, lines, part);
      } else {
        long line = part.chars().filter(c -> c == '\n').count() + 1;
        PredictionFormatException e = assertThrows(PredictionFormatException.class, () -> {
          try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(part), "cut.csv", 4)) {
            while (r.next()) {
              // to the cut
            }
          }
        }, part);
        assertEquals(line, e.lineNumber(), part);
      }
    }
  }

  /** Blank text after the last line break is the end; lone \r line breaks still read. */
  @Test
  void blankTextAfterTheLastLineBreakIsTheEnd() throws IOException {
    try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(H + "a,1 0.5\r \t"), "f.csv", 4)) {
      assertTrue(r.next());
      assertEquals("a", r.videoId());
      assertFalse(r.next());
    }
    try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(H.trim() + "\ra,1 0.5\rb,2 1\r"), "f.csv", 4)) {
      assertTrue(r.next());
      assertTrue(r.next());
      assertEquals("b", r.videoId());
      assertEquals(3, r.lineNumber());
      assertFalse(r.next());
    }
  }

  @Test
  void writerRejectsWhatTheFormatCannotHold() throws IOException {
    PredictionCsvWriter w = new PredictionCsvWriter(new StringWriter());
    int[] c = {1};
    assertThrows(IllegalArgumentException.class, () -> w.write("a,b", c, new float[] {1}, 1));
    assertThrows(IllegalArgumentException.class, () -> w.write("", c, new float[] {1}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> w.write("a", c, new float[] {Float.NaN}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> w.write("a", c, new float[] {Float.POSITIVE_INFINITY}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> w.write("a", new int[] {-2}, new float[] {1}, 1));
    assertThrows(IllegalArgumentException.class, () -> w.write("a", c, new float[] {1}, 2));
  }

  @Test
  void scoreFormat() {
    assertEquals("0", PredictionCsvWriter.formatScore(0f));
    assertEquals("1", PredictionCsvWriter.formatScore(1f));
    assertEquals("0.1", PredictionCsvWriter.formatScore(0.1f));
    assertEquals("-0.25", PredictionCsvWriter.formatScore(-0.25f));
    assertEquals("0.999999", PredictionCsvWriter.formatScore(0.999999f));
    assertEquals("1", PredictionCsvWriter.formatScore(0.9999999f));
    assertEquals("123457", PredictionCsvWriter.formatScore(123456.7f));
    assertEquals("0.0001", PredictionCsvWriter.formatScore(1e-4f));
    assertEquals("1e-05", PredictionCsvWriter.formatScore(1e-5f));
  }

  private static void assertError(String csv, String expected) {
    PredictionFormatException e = assertThrows(PredictionFormatException.class, () -> {
      try (PredictionCsvReader r = new PredictionCsvReader(new StringReader(csv), "preds.csv", 4)) {
        while (r.next()) {
          // read to the failing line
        }
      }
    });
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertEquals("preds.csv", e.fileName());
  }
}
