package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The streaming evaluator against a plain, obviously-correct reference on random data. */
class YouTube8mEvaluatorRandomizedTest {

  /** One video as the reference sees it: the entries the caller listed, and its labels. */
  private record Video(int[] classes, float[] scores, int[] labels) {}

  private record Entry(int cls, float score, boolean positive) {}

  /** Score descending, negatives first, class ascending: the documented tie rule. */
  private static final Comparator<Entry> RANK = Comparator
      .comparingDouble((Entry e) -> -e.score())
      .thenComparing(Entry::positive)
      .thenComparingInt(Entry::cls);

  private record Reference(double hit1, double perr, double perrLabelled, double gap, double map,
      double[] classAp) {}

  private static Reference reference(List<Video> videos, int numClasses, int k) {
    List<Entry> pooled = new ArrayList<>();
    long[] classPositives = new long[numClasses];
    long totalPositives = 0;
    double hits = 0;
    double perrSum = 0;
    int labelled = 0;
    for (Video v : videos) {
      Set<Integer> labels = new HashSet<>();
      for (int l : v.labels()) {
        labels.add(l);
        classPositives[l]++;
        totalPositives++;
      }
      List<Entry> ranking = new ArrayList<>();
      for (int i = 0; i < v.classes().length; i++) {
        ranking.add(new Entry(v.classes()[i], v.scores()[i], labels.contains(v.classes()[i])));
      }
      ranking.sort(RANK);
      if (!ranking.isEmpty() && ranking.get(0).positive()) {
        hits++;
      }
      int n = labels.size();
      if (n > 0) {
        labelled++;
        int correct = 0;
        for (int i = 0; i < n && i < ranking.size(); i++) {
          if (ranking.get(i).positive() && ranking.get(i).score() > 0) {
            correct++;
          }
        }
        perrSum += (double) correct / n;
      }
      pooled.addAll(ranking.subList(0, Math.min(k, ranking.size())));
    }
    pooled.sort(RANK);
    double gap = totalPositives == 0 ? 0 : ap(pooled, totalPositives);
    double[] classAp = new double[numClasses];
    double apTotal = 0;
    int classes = 0;
    for (int c = 0; c < numClasses; c++) {
      List<Entry> ofClass = new ArrayList<>();
      for (Entry e : pooled) {
        if (e.cls() == c) {
          ofClass.add(e);
        }
      }
      if (classPositives[c] == 0) {
        classAp[c] = Double.NaN;
      } else {
        classAp[c] = ap(ofClass, classPositives[c]);
        apTotal += classAp[c];
        classes++;
      }
    }
    return new Reference(hits / videos.size(), perrSum / videos.size(), perrSum / labelled, gap,
        apTotal / classes, classAp);
  }

  /** AP = (1/P) * sum_i precision@i * label_i over an already ranked list. */
  private static double ap(List<Entry> ranked, long positives) {
    double sum = 0;
    int seen = 0;
    for (int i = 0; i < ranked.size(); i++) {
      if (ranked.get(i).positive()) {
        seen++;
        sum += (double) seen / (i + 1);
      }
    }
    return sum / positives;
  }

  private static int[] randomLabels(Random rnd, int numClasses) {
    int n = rnd.nextInt(Math.min(numClasses, 5) + 1);
    Set<Integer> set = new HashSet<>();
    while (set.size() < n) {
      set.add(rnd.nextInt(numClasses));
    }
    return set.stream().mapToInt(Integer::intValue).toArray();
  }

  private static float[] randomScores(Random rnd, int numClasses) {
    float[] s = new float[numClasses];
    boolean coarse = rnd.nextBoolean(); // coarse scores make many ties, within and across videos
    for (int c = 0; c < numClasses; c++) {
      s[c] = coarse ? rnd.nextInt(5) / 4f : rnd.nextFloat();
    }
    return s;
  }

  /** Classes by score descending, equal scores in random order (the evaluator must not care). */
  private static int[] rankWithRandomTies(Random rnd, float[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double[] jitter = rnd.doubles(scores.length).toArray();
    Arrays.sort(order, Comparator.comparingDouble((Integer c) -> -scores[c])
        .thenComparingDouble(c -> jitter[c]));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void matchesBruteForceReference() {
    Random rnd = new Random(20180611);
    int[][] shapes = {{1, 1}, {3, 2}, {13, 3}, {13, 20}, {50, 5}, {103, 20}};
    for (int[] shape : shapes) {
      int numClasses = shape[0];
      int k = shape[1];
      for (int trial = 0; trial < 5; trial++) {
        YouTube8mEvaluator ev = new YouTube8mEvaluator(numClasses, k);
        List<Video> videos = new ArrayList<>();
        int n = 1 + rnd.nextInt(150);
        for (int v = 0; v < n; v++) {
          float[] scores = randomScores(rnd, numClasses);
          int[] labels = randomLabels(rnd, numClasses);
          int[] ranked = rankWithRandomTies(rnd, scores);
          if (rnd.nextBoolean()) {
            ev.addScores(scores, 0, labels);
            videos.add(new Video(ranked, rankedScores(ranked, scores, numClasses), labels));
          } else {
            // a truncated list, as a Kaggle file gives: the reference sees only these entries
            int count = rnd.nextInt(numClasses + 1);
            int[] cls = Arrays.copyOf(ranked, count);
            float[] sc = rankedScores(ranked, scores, count);
            ev.add(ranked, rankedScores(ranked, scores, numClasses), count, labels);
            videos.add(new Video(cls, sc, labels));
          }
        }
        Reference ref = reference(videos, numClasses, k);
        EvalReport r = ev.report();
        String where = "numClasses=" + numClasses + " k=" + k + " trial=" + trial;
        assertEquals(ref.hit1(), r.hit1(), 1e-12, where);
        assertEquals(ref.perr(), r.perr(), 1e-12, where);
        assertEquals(ref.perrLabelled(), r.perrLabelledOnly(), 1e-12, where);
        assertEquals(ref.gap(), r.gap(), 1e-12, where);
        assertEquals(ref.map(), r.map(), 1e-12, where);
        assertArrayEquals(ref.classAp(), r.classAp(), 1e-12, where);
      }
    }
  }

  private static float[] rankedScores(int[] ranked, float[] scores, int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = scores[ranked[i]];
    }
    return out;
  }

  @Test
  void addScoresEqualsAddOfTheFullRanking() {
    Random rnd = new Random(7);
    for (int numClasses : new int[] {1, 13, 207}) {
      YouTube8mEvaluator viaScores = new YouTube8mEvaluator(numClasses, 20);
      YouTube8mEvaluator viaRanking = new YouTube8mEvaluator(numClasses, 20);
      for (int v = 0; v < 300; v++) {
        float[] scores = randomScores(rnd, numClasses);
        int[] labels = randomLabels(rnd, numClasses);
        int[] ranked = rankWithRandomTies(rnd, scores);
        viaScores.addScores(scores, 0, labels);
        viaRanking.add(ranked, rankedScores(ranked, scores, numClasses), numClasses, labels);
      }
      // Same pooled pairs and the same additions in the same order: bit-identical reports.
      assertEquals(viaRanking.report(), viaScores.report(), "numClasses=" + numClasses);
    }
  }

  @Test
  void mergedWorkersEqualOneEvaluator() {
    Random rnd = new Random(99);
    int numClasses = 37;
    YouTube8mEvaluator single = new YouTube8mEvaluator(numClasses, 5);
    YouTube8mEvaluator[] workers = new YouTube8mEvaluator[3];
    for (int w = 0; w < workers.length; w++) {
      workers[w] = new YouTube8mEvaluator(numClasses, 5);
    }
    for (int v = 0; v < 2000; v++) {
      float[] scores = randomScores(rnd, numClasses);
      int[] labels = randomLabels(rnd, numClasses);
      single.addScores(scores, 0, labels);
      workers[rnd.nextInt(workers.length)].addScores(scores, 0, labels);
    }
    YouTube8mEvaluator merged = new YouTube8mEvaluator(numClasses, 5);
    for (YouTube8mEvaluator w : workers) {
      merged.merge(w);
    }
    EvalReport a = single.report();
    EvalReport b = merged.report();
    assertEquals(a.videos(), b.videos());
    assertEquals(a.videosWithLabels(), b.videosWithLabels());
    assertEquals(a.totalPositives(), b.totalPositives());
    assertEquals(a.pooledPairs(), b.pooledPairs());
    assertEquals(a.positivesInTopK(), b.positivesInTopK());
    assertEquals(a.hit1Count(), b.hit1Count());
    assertEquals(a.classesWithPositives(), b.classesWithPositives());
    assertArrayEquals(a.classPositives(), b.classPositives());
    // Pairs are sorted into one total order, so GAP and AP sums run in the same order: exact.
    assertEquals(a.gap(), b.gap(), 0.0);
    assertEquals(a.map(), b.map(), 0.0);
    assertArrayEquals(a.classAp(), b.classAp(), 0.0);
    assertEquals(a.hit1(), b.hit1(), 0.0);
    // PERR is a floating sum whose order depends on the split.
    assertEquals(a.perr(), b.perr(), 1e-12);
    assertEquals(a.perrLabelledOnly(), b.perrLabelledOnly(), 1e-12);
  }
}
