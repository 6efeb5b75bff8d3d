package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class YouTube8mEvaluatorTest {

  private static final double EPS = 1e-12;
  private static final int[] NONE = {};

  /*
   * The main hand-worked case: 4 classes, k = 2, 3 videos.
   *
   *   video  scores (class 0..3)      labels  top-2 pairs (score, class, label)
   *   A      0.9  0.8  0.1  0.0       {0, 2}  (0.9 c0 +) (0.8 c1 -)   c2 positive outside top 2
   *   B      0.2  0.7  0.6  0.3       {2}     (0.7 c1 -) (0.6 c2 +)
   *   C      0.5  0.4  0.35 0.05      {}      (0.5 c0 -) (0.4 c1 -)
   *
   * Hit@1: A top c0 labelled (1), B top c1 (0), C no labels (0)         -> 1/3
   * PERR:  A n=2, top 2 = c0+, c1- -> 1/2; B n=1, top 1 = c1- -> 0; C 0
   *        all videos: (1/2 + 0 + 0) / 3 = 1/6; labelled only: (1/2 + 0) / 2 = 1/4
   * GAP:   pooled 0.9+ 0.8- 0.7- 0.6+ 0.5- 0.4-, P = 3 (A's c2 counts although never pooled)
   *        (1/1 + 2/4) / 3 = 0.5
   * MAP:   class 0 pairs 0.9+ 0.5-, P0 = 1           -> AP0 = (1/1) / 1 = 1
   *        class 1 pairs all negative, P1 = 0         -> excluded (NaN)
   *        class 2 pairs 0.6+, P2 = 2 (A and B)       -> AP2 = (1/1) / 2 = 0.5
   *        class 3 no pairs, P3 = 0                   -> excluded
   *        MAP = (1 + 0.5) / 2 = 0.75
   */
  private static final float[][] SCORES = {
      {0.9f, 0.8f, 0.1f, 0.0f},
      {0.2f, 0.7f, 0.6f, 0.3f},
      {0.5f, 0.4f, 0.35f, 0.05f}};
  private static final int[][] LABELS = {{0, 2}, {2}, {}};

  private static void assertMainCase(EvalReport r) {
    assertEquals(3, r.videos());
    assertEquals(2, r.videosWithLabels());
    assertEquals(3, r.totalPositives());
    assertEquals(6, r.pooledPairs());
    assertEquals(2, r.positivesInTopK());
    assertEquals(1, r.hit1Count());
    assertEquals(2, r.classesWithPositives());
    assertEquals(1.0 / 3, r.hit1(), EPS);
    assertEquals(1.0 / 6, r.perr(), EPS);
    assertEquals(1.0 / 4, r.perrLabelledOnly(), EPS);
    assertEquals(0.5, r.gap(), EPS);
    assertEquals(0.75, r.map(), EPS);
    assertArrayEquals(new double[] {1.0, Double.NaN, 0.5, Double.NaN}, r.classAp(), EPS);
    assertArrayEquals(new long[] {1, 0, 2, 0}, r.classPositives());
  }

  @Test
  void handWorkedCaseThroughAdd() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 2);
    ev.add(new int[] {0, 1, 2, 3}, new float[] {0.9f, 0.8f, 0.1f, 0.0f}, 4, LABELS[0]);
    // Only the top 2 given, as a Kaggle file cut at k would: PERR needs just n = 1 here.
    ev.add(new int[] {1, 2}, new float[] {0.7f, 0.6f}, 2, LABELS[1]);
    ev.add(new int[] {0, 1, 2, 3}, new float[] {0.5f, 0.4f, 0.35f, 0.05f}, 4, LABELS[2]);
    assertMainCase(ev.report());
  }

  @Test
  void handWorkedCaseThroughAddScoresWithOffsets() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 2);
    float[] flat = new float[1 + 12];
    for (int v = 0; v < 3; v++) {
      System.arraycopy(SCORES[v], 0, flat, 1 + 4 * v, 4);
    }
    for (int v = 0; v < 3; v++) {
      ev.addScores(flat, 1 + 4 * v, LABELS[v]);
    }
    assertMainCase(ev.report());
  }

  @Test
  void reportIsRepeatableAndEvaluatorKeepsAccumulating() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 2);
    ev.addScores(SCORES[2], 0, LABELS[2]);
    ev.addScores(SCORES[0], 0, LABELS[0]);
    EvalReport partial = ev.report();
    assertEquals(partial, ev.report());
    ev.addScores(SCORES[1], 0, LABELS[1]);
    assertMainCase(ev.report());
  }

  /*
   * Ties across videos, 3 classes, k = 2.
   *   X  scores 0.6 0.3 0.1  labels {0}  pairs (0.6 c0 +) (0.3 c1 -)
   *   Y  scores 0.3 0.2 0.0  labels {0}  pairs (0.3 c0 +) (0.2 c1 -)
   * Pooled with negatives first among equal scores: 0.6+ 0.3- 0.3+ 0.2-, P = 2
   *   GAP = (1/1 + 2/3) / 2 = 5/6   (the optimistic order would give 1)
   */
  @Test
  void gapTieAcrossVideosRanksNegativeFirst() {
    for (boolean xFirst : new boolean[] {true, false}) {
      YouTube8mEvaluator ev = new YouTube8mEvaluator(3, 2);
      float[] x = {0.6f, 0.3f, 0.1f};
      float[] y = {0.3f, 0.2f, 0.0f};
      if (xFirst) {
        ev.addScores(x, 0, new int[] {0});
        ev.addScores(y, 0, new int[] {0});
      } else {
        ev.addScores(y, 0, new int[] {0});
        ev.addScores(x, 0, new int[] {0});
      }
      EvalReport r = ev.report();
      assertEquals(5.0 / 6, r.gap(), EPS);
      // class 0 pairs 0.6+ 0.3+, P0 = 2: AP0 = (1/1 + 2/2) / 2 = 1; class 1 has no positives.
      assertEquals(1.0, r.map(), EPS);
    }
  }

  /*
   * Ties within one class, 2 classes, k = 1.
   *   X  scores 0.5 0.1  labels {0}  pair (0.5 c0 +)
   *   Y  scores 0.5 0.1  labels {}   pair (0.5 c0 -)
   * Pooled: 0.5- 0.5+, P = 1: GAP = (1/2) / 1 = 0.5; class 0: AP0 = (1/2) / 1 = 0.5 = MAP.
   */
  @Test
  void mapTieWithinClassRanksNegativeFirst() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(2, 1);
    ev.add(new int[] {0, 1}, new float[] {0.5f, 0.1f}, 2, new int[] {0});
    ev.add(new int[] {0, 1}, new float[] {0.5f, 0.1f}, 2, NONE);
    EvalReport r = ev.report();
    assertEquals(0.5, r.gap(), EPS);
    assertEquals(0.5, r.map(), EPS);
    assertEquals(0.5, r.classAp(0), EPS);
    assertEquals(1.0 / 2, r.hit1(), EPS); // X's top entry is its positive, Y has no labels
  }

  /*
   * A constant predictor, 4 classes, k = 4: every score 0.25.
   *   V1 labels {1}: its ranking becomes c0- c2- c3- c1+ ; V2 labels {3}: c0- c1- c2- c3+
   * Hit@1 = 0 and PERR = 0 (top 1 is a negative in both).
   * Pooled: six negatives then two positives, P = 2: GAP = (1/7 + 2/8) / 2 = 11/56.
   * Class 1 pairs: V1 +, V2 -, tied -> - then +: AP1 = (1/2) / 1 = 0.5; class 3 likewise; MAP 0.5.
   */
  @Test
  void constantPredictorGainsNothingFromTies() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 4);
    float[] constant = {0.25f, 0.25f, 0.25f, 0.25f};
    ev.addScores(constant, 0, new int[] {1});
    // The same video through add, with the positive listed first: the tie rule reorders it.
    ev.add(new int[] {3, 2, 1, 0}, constant, 4, new int[] {3});
    EvalReport r = ev.report();
    assertEquals(0, r.hit1Count());
    assertEquals(0.0, r.perr(), EPS);
    assertEquals(11.0 / 56, r.gap(), EPS);
    assertEquals(0.5, r.map(), EPS);
    assertArrayEquals(new double[] {Double.NaN, 0.5, Double.NaN, 0.5}, r.classAp(), EPS);
  }

  /*
   * PERR details, 3 classes, k = 20.
   *   V1 labels {0, 1, 2}, only 1 ranked entry (c0, 0.9): n = 3, 1 hit, 2 missing -> 1/3
   *   V2 labels {0}, ranked (c0, 0.0): labelled but score 0 does not count for PERR -> 0,
   *      yet Hit@1 (no score condition in the starter code) is 1 and its pair counts for GAP.
   *   V3 no labels, no entries -> contributes 0 to PERR, 0 to Hit@1.
   * Hit@1 = 2/3; PERR = (1/3 + 0 + 0) / 3 = 1/9; labelled only = (1/3 + 0) / 2 = 1/6.
   * GAP: pooled 0.9+ 0.0+, P = 4: (1/1 + 2/2) / 4 = 0.5.
   */
  @Test
  void perrUsesOwnLabelCountAndPositiveScoresOnly() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(3);
    ev.add(new int[] {0}, new float[] {0.9f}, 1, new int[] {0, 1, 2});
    ev.add(new int[] {0}, new float[] {0.0f}, 1, new int[] {0});
    ev.add(new int[0], new float[0], 0, NONE);
    EvalReport r = ev.report();
    assertEquals(2, r.hit1Count());
    assertEquals(2.0 / 3, r.hit1(), EPS);
    assertEquals(1.0 / 9, r.perr(), EPS);
    assertEquals(1.0 / 6, r.perrLabelledOnly(), EPS);
    assertEquals(0.5, r.gap(), EPS);
    assertEquals(4, r.totalPositives());
    assertEquals(2, r.positivesInTopK());
  }

  @Test
  void unlabelledVideosOnly() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(2, 1);
    ev.addScores(new float[] {0.3f, 0.7f}, 0, NONE);
    EvalReport r = ev.report();
    assertEquals(0.0, r.hit1());
    assertEquals(0.0, r.perr());
    assertTrue(Double.isNaN(r.perrLabelledOnly()));
    assertEquals(0.0, r.gap()); // starter code: AP of no positives is 0
    assertTrue(Double.isNaN(r.map()));
  }

  @Test
  void emptyEvaluator() {
    EvalReport r = new YouTube8mEvaluator(5).report();
    assertEquals(0, r.videos());
    assertTrue(Double.isNaN(r.hit1()));
    assertTrue(Double.isNaN(r.perr()));
    assertEquals(0.0, r.gap());
    assertTrue(Double.isNaN(r.map()));
  }

  @Test
  void negativeZeroTiesWithZero() {
    // Positive at +0.0, negative at -0.0, k = 1. Were -0.0 ranked below +0.0 the positive would
    // come first (GAP 1); as equal scores the negative comes first: P = 1, GAP = (1/2) / 1.
    YouTube8mEvaluator ev = new YouTube8mEvaluator(2, 1);
    ev.add(new int[] {0}, new float[] {0.0f}, 1, new int[] {0});
    ev.add(new int[] {0}, new float[] {-0.0f}, 1, NONE);
    assertEquals(0.5, ev.report().gap(), EPS);
  }

  @Test
  void mergeRequiresSameShape() {
    YouTube8mEvaluator a = new YouTube8mEvaluator(4, 2);
    assertThrows(IllegalArgumentException.class, () -> a.merge(new YouTube8mEvaluator(5, 2)));
    assertThrows(IllegalArgumentException.class, () -> a.merge(new YouTube8mEvaluator(4, 3)));
    assertThrows(IllegalArgumentException.class, () -> a.merge(a));
  }

  @Test
  void mergeOfHandWorkedParts() {
    YouTube8mEvaluator a = new YouTube8mEvaluator(4, 2);
    YouTube8mEvaluator b = new YouTube8mEvaluator(4, 2);
    a.addScores(SCORES[1], 0, LABELS[1]);
    b.addScores(SCORES[0], 0, LABELS[0]);
    b.addScores(SCORES[2], 0, LABELS[2]);
    a.merge(b);
    assertMainCase(a.report());
    assertEquals(2, b.videos()); // the merged-in evaluator is untouched
  }

  @Test
  void validationRejectsBadArgumentsAndLeavesStateUnchanged() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 2);
    int[] c = {0, 1};
    float[] s = {0.9f, 0.1f};
    assertMessage("out of range", () -> ev.add(new int[] {0, 4}, s, 2, NONE));
    assertMessage("out of range", () -> ev.add(new int[] {-1, 0}, s, 2, NONE));
    assertMessage("out of range", () -> ev.add(c, s, 2, new int[] {4}));
    assertMessage("duplicate label 1", () -> ev.add(c, s, 2, new int[] {1, 1}));
    assertMessage("ranked twice", () -> ev.add(new int[] {2, 2}, s, 2, NONE));
    assertMessage("count 3", () -> ev.add(c, s, 3, NONE));
    assertMessage("count -1", () -> ev.add(c, s, -1, NONE));
    assertMessage("exceeds numClasses", () ->
        ev.add(new int[] {0, 1, 2, 3, 0}, new float[5], 5, NONE));
    assertMessage("not ranked descending", () -> ev.add(c, new float[] {0.1f, 0.9f}, 2, NONE));
    assertMessage("NaN", () -> ev.add(c, new float[] {Float.NaN, 0.1f}, 2, NONE));
    assertMessage("NaN", () -> ev.addScores(new float[] {0, 0, Float.NaN, 0}, 0, NONE));
    assertMessage("exceeds scores.length", () -> ev.addScores(new float[4], 1, NONE));
    assertMessage("duplicate label", () -> ev.addScores(new float[4], 0, new int[] {2, 2}));
    assertEquals(0, ev.videos());
    // a valid call after the failed ones works normally (no stale marks)
    ev.add(c, s, 2, new int[] {1});
    EvalReport r = ev.report();
    assertEquals(1, r.videos());
    assertEquals(0, r.hit1Count());
    assertEquals(0.5, r.gap(), EPS); // pooled 0.9- 0.1+, P = 1
  }

  @Test
  void tableMentionsFiguresAndCounts() {
    YouTube8mEvaluator ev = new YouTube8mEvaluator(4, 2);
    for (int v = 0; v < 3; v++) {
      ev.addScores(SCORES[v], 0, LABELS[v]);
    }
    String table = ev.report().toTable();
    assertTrue(table.contains("GAP@2"), table);
    assertTrue(table.contains("0.500000"), table);
    assertTrue(table.contains("0.750000"), table);
    assertTrue(table.contains("(1 / 3 videos)"), table);
    assertTrue(table.contains("3 (2 in top 2, 66.7%)"), table);
    assertEquals(8, table.split("\n").length);
  }

  private static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
