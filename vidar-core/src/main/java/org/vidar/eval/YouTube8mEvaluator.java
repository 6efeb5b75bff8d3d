package org.vidar.eval;

import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming YouTube-8M evaluator: accumulates Hit@1, PERR, GAP@k and the starter code's top-k MAP
 * one video at a time, keeping only each video's top-k pairs (8 bytes each), never an N x K matrix.
 *
 * <p><b>Tie rule.</b> Equal scores are ordered negatives first, then by class index ascending
 * (pessimistic: a tie can never raise a figure, so a constant predictor gains nothing from the
 * order in which classes or videos arrive). The rule is applied everywhere a ranking is used: the
 * order of a video's own classes (Hit@1, PERR, which classes enter its top k), and the pooled order
 * behind GAP and MAP. The starter code shuffles with a fixed seed instead; the spec allows any
 * fixed, documented rule. Results do not depend on the order of {@link #add} calls or on how work
 * was split before {@link #merge}.
 *
 * <p>Classes a caller does not list in {@link #add} are absent: they are ranked below every listed
 * class and never enter the pooled pairs (for the usual non-negative scores this is the same as a
 * score of 0). Not thread-safe: give each worker its own evaluator and merge them.
 */
public final class YouTube8mEvaluator {

  /** The k of GAP@k used by the YouTube-8M challenges. */
  public static final int DEFAULT_TOP_K = 20;

  private final int numClasses;
  private final int topK;

  // Per-call membership marks: stamps[c] == stamp means "marked in this call", so no clearing is
  // needed, and a call that fails validation leaves nothing behind.
  private final int[] labelStamps;
  private final int[] rankStamps;
  private int stamp;

  private final long[] classPositives;
  private long[] videoKeys = new long[64];
  private long[] pairs = new long[1024];
  private int pairCount;

  private long videos;
  private long videosWithLabels;
  private long totalPositives;
  private long positivesInTopK;
  private long hit1Count;
  private double perrSum;

  /** An evaluator with k = {@value #DEFAULT_TOP_K}. */
  public YouTube8mEvaluator(int numClasses) {
    this(numClasses, DEFAULT_TOP_K);
  }

  /**
   * @param numClasses number of classes (3862 for the 2018 release, 4716 for 2017)
   * @param topK the k of GAP@k: pairs kept per video; may exceed numClasses
   */
  public YouTube8mEvaluator(int numClasses, int topK) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, got " + topK);
    }
    this.numClasses = numClasses;
    this.topK = topK;
    this.labelStamps = new int[numClasses];
    this.rankStamps = new int[numClasses];
    this.classPositives = new long[numClasses];
  }

  public int numClasses() {
    return numClasses;
  }

  public int topK() {
    return topK;
  }

  /** Number of videos added so far (including merged ones). */
  public long videos() {
    return videos;
  }

  /**
   * Adds one video whose predictions the caller has already ranked.
   *
   * @param rankedClasses class indices, best first; entries from index {@code count} on are ignored
   * @param rankedScores their scores, non-increasing, no NaN
   * @param count number of ranked entries; may be fewer than topK and than numClasses
   * @param labels the video's true class indices, distinct, possibly empty
   * @throws IllegalArgumentException if a class index is out of range or repeated, count does not
   *     fit the arrays, a score is NaN, or the scores are not in non-increasing order
   */
  public void add(int[] rankedClasses, float[] rankedScores, int count, int[] labels) {
    Objects.requireNonNull(rankedClasses, "rankedClasses");
    Objects.requireNonNull(rankedScores, "rankedScores");
    Objects.requireNonNull(labels, "labels");
    if (count < 0 || count > rankedClasses.length || count > rankedScores.length) {
      throw new IllegalArgumentException("count " + count + " outside [0, min("
          + rankedClasses.length + ", " + rankedScores.length + ")]");
    }
    if (count > numClasses) {
      throw new IllegalArgumentException(
          "count " + count + " exceeds numClasses " + numClasses);
    }
    int s = nextStamp();
    markLabels(labels, s);
    long[] keys = videoKeys(count);
    boolean inKeyOrder = true;
    for (int i = 0; i < count; i++) {
      int c = rankedClasses[i];
      if (c < 0 || c >= numClasses) {
        throw new IllegalArgumentException("rankedClasses[" + i + "] = " + c
            + " out of range [0, " + numClasses + ")");
      }
      if (rankStamps[c] == s) {
        throw new IllegalArgumentException("class " + c + " ranked twice (rankedClasses[" + i
            + "])");
      }
      rankStamps[c] = s;
      float score = rankedScores[i];
      if (Float.isNaN(score)) {
        throw new IllegalArgumentException("rankedScores[" + i + "] (class " + c + ") is NaN");
      }
      if (i > 0 && score > rankedScores[i - 1]) {
        throw new IllegalArgumentException("scores not ranked descending: rankedScores[" + i
            + "] = " + score + " > rankedScores[" + (i - 1) + "] = " + rankedScores[i - 1]);
      }
      keys[i] = RankKeys.key(score, labelStamps[c] == s, c);
      if (i > 0 && keys[i] < keys[i - 1]) {
        inKeyOrder = false;
      }
    }
    // Scores are already descending, so only tie groups can be out of key order: re-sorting applies
    // the tie rule regardless of how the caller ordered equal scores.
    if (!inKeyOrder) {
      Arrays.sort(keys, 0, count);
    }
    accumulate(keys, count, labels);
  }

  /**
   * Adds one video from its full score vector {@code scores[offset .. offset + numClasses)}. Only
   * the top max(topK, labels.length) classes are selected (bounded heap, not a full sort); the
   * result equals {@link #add} given the complete ranking.
   *
   * @throws IllegalArgumentException if the vector does not fit, a score is NaN, or a label is out
   *     of range or repeated
   */
  public void addScores(float[] scores, int offset, int[] labels) {
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(labels, "labels");
    if (offset < 0 || offset > scores.length - numClasses) {
      throw new IllegalArgumentException("offset " + offset + " + numClasses " + numClasses
          + " exceeds scores.length " + scores.length);
    }
    int s = nextStamp();
    markLabels(labels, s);
    // PERR needs the video's n best classes, GAP/MAP its k best.
    int m = Math.min(numClasses, Math.max(topK, labels.length));
    long[] keys = videoKeys(m);
    RankKeys.selectTop(scores, offset, numClasses, labelStamps, s, keys, m);
    accumulate(keys, m, labels);
  }

  /**
   * Adds everything another evaluator has seen, as if its videos had been added here; used to
   * combine per-worker evaluators. The other evaluator is left unchanged.
   *
   * @throws IllegalArgumentException if numClasses or topK differ, or other is this evaluator
   */
  public void merge(YouTube8mEvaluator other) {
    Objects.requireNonNull(other, "other");
    if (other == this) {
      throw new IllegalArgumentException("cannot merge an evaluator into itself");
    }
    if (other.numClasses != numClasses || other.topK != topK) {
      throw new IllegalArgumentException("cannot merge evaluator (numClasses=" + other.numClasses
          + ", topK=" + other.topK + ") into (numClasses=" + numClasses + ", topK=" + topK + ")");
    }
    ensurePairCapacity((long) pairCount + other.pairCount);
    System.arraycopy(other.pairs, 0, pairs, pairCount, other.pairCount);
    pairCount += other.pairCount;
    for (int c = 0; c < numClasses; c++) {
      classPositives[c] += other.classPositives[c];
    }
    videos += other.videos;
    videosWithLabels += other.videosWithLabels;
    totalPositives += other.totalPositives;
    positivesInTopK += other.positivesInTopK;
    hit1Count += other.hit1Count;
    perrSum += other.perrSum;
  }

  /**
   * Computes the figures over everything added so far. Costs one sort of the pooled pairs
   * (O(P log P)); the evaluator stays usable afterwards.
   *
   * <p>GAP@k = (1 / P) * sum_i precision@i * label_i over the pooled pairs in rank order, P = all
   * positive labels of all videos (also those outside any top k). Per-class AP is the same formula
   * over one class's pooled pairs with P = that class's positives; MAP is the unweighted mean over
   * the classes with at least one positive.
   */
  public EvalReport report() {
    Arrays.sort(pairs, 0, pairCount);
    int[] seen = new int[numClasses];
    int[] hits = new int[numClasses];
    double[] apSum = new double[numClasses];
    double gapSum = 0;
    long positivesSoFar = 0;
    for (int i = 0; i < pairCount; i++) {
      long key = pairs[i];
      int c = RankKeys.classIndex(key);
      seen[c]++;
      if (RankKeys.positive(key)) {
        positivesSoFar++;
        gapSum += (double) positivesSoFar / (i + 1);
        hits[c]++;
        apSum[c] += (double) hits[c] / seen[c];
      }
    }
    double[] classAp = new double[numClasses];
    int classesWithPositives = 0;
    double apTotal = 0;
    for (int c = 0; c < numClasses; c++) {
      if (classPositives[c] == 0) {
        classAp[c] = Double.NaN;
      } else {
        classAp[c] = apSum[c] / classPositives[c];
        apTotal += classAp[c];
        classesWithPositives++;
      }
    }
    // The starter code's AP returns 0 when there are no positives at all; the other figures are
    // undefined (NaN) on an empty denominator, as numpy's mean of nothing is.
    double gap = totalPositives == 0 ? 0.0 : gapSum / totalPositives;
    double map = classesWithPositives == 0 ? Double.NaN : apTotal / classesWithPositives;
    double hit1 = videos == 0 ? Double.NaN : (double) hit1Count / videos;
    double perr = videos == 0 ? Double.NaN : perrSum / videos;
    double perrLabelled = videosWithLabels == 0 ? Double.NaN : perrSum / videosWithLabels;
    return new EvalReport(numClasses, topK, hit1, perr, perrLabelled, gap, map, videos,
        videosWithLabels, totalPositives, pairCount, positivesInTopK, hit1Count,
        classesWithPositives, classAp, classPositives.clone());
  }

  /** Folds one validated video, its ranking given as sorted keys, into the running totals. */
  private void accumulate(long[] keys, int count, int[] labels) {
    int k = Math.min(topK, count);
    ensurePairCapacity((long) pairCount + k);
    int n = labels.length;
    videos++;
    // Hit@1 = y[v][top class]; a video with no ranked entries has no top class and misses.
    if (count > 0 && RankKeys.positive(keys[0])) {
      hit1Count++;
    }
    if (n > 0) {
      videosWithLabels++;
      totalPositives += n;
      for (int label : labels) {
        classPositives[label]++;
      }
      // PERR: of the video's n best classes, those labelled and scored > 0, over n. Entries the
      // caller did not provide are misses, so the divisor stays n.
      int m = Math.min(n, count);
      int hits = 0;
      for (int i = 0; i < m; i++) {
        if (RankKeys.positive(keys[i]) && RankKeys.score(keys[i]) > 0f) {
          hits++;
        }
      }
      perrSum += (double) hits / n;
    }
    for (int i = 0; i < k; i++) {
      long key = keys[i];
      pairs[pairCount++] = key;
      if (RankKeys.positive(key)) {
        positivesInTopK++;
      }
    }
  }

  private int nextStamp() {
    if (++stamp == 0) {
      // Wrapped after 2^32 calls: old marks could collide with new ones, so start over.
      Arrays.fill(labelStamps, 0);
      Arrays.fill(rankStamps, 0);
      stamp = 1;
    }
    return stamp;
  }

  private void markLabels(int[] labels, int s) {
    for (int i = 0; i < labels.length; i++) {
      int c = labels[i];
      if (c < 0 || c >= numClasses) {
        throw new IllegalArgumentException(
            "labels[" + i + "] = " + c + " out of range [0, " + numClasses + ")");
      }
      if (labelStamps[c] == s) {
        throw new IllegalArgumentException("duplicate label " + c + " (labels[" + i + "])");
      }
      labelStamps[c] = s;
    }
  }

  private long[] videoKeys(int size) {
    if (videoKeys.length < size) {
      videoKeys = new long[Math.max(size, videoKeys.length * 2)];
    }
    return videoKeys;
  }

  private void ensurePairCapacity(long needed) {
    if (needed <= pairs.length) {
      return;
    }
    long max = Integer.MAX_VALUE - 8;
    if (needed > max) {
      throw new IllegalStateException("more than " + max + " pooled top-k pairs");
    }
    long grown = Math.max(needed, Math.min(max, pairs.length + (pairs.length >> 1)));
    pairs = Arrays.copyOf(pairs, (int) grown);
  }
}
