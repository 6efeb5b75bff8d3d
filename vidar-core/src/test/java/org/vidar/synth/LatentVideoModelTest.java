package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LatentVideoModelTest {
  private static final int VIDEOS = 3000;
  private static final SynthConfig CONFIG = SynthConfig.builder().seed(2024).build();
  private static LatentVideoModel model;
  private static Summary summary;

  /** What the statistical tests need from a run of videos, without keeping the frames. */
  static final class Summary {
    final int k;
    final int f;
    long labels;
    final long[] classCount;
    final long[][] pairCount;
    final double[] binProb = new double[5];
    final double[] binVar = new double[5];
    final long[] binPositives = new long[5];
    final long[] binSize = new long[5];
    final double[] topMeanProb;
    final int[] lengths = new int[VIDEOS];
    long values;
    long clipped;
    double lagProduct;
    double lagSquares;
    final double[] globalMean;
    // Centroids of video-level features per (class, mode), in two halves for a split-half check.
    final double[][][][] centroid;
    final int[][][] centroidCount;

    Summary(int k, int f, int maxModes) {
      this.k = k;
      this.f = f;
      classCount = new long[k];
      pairCount = new long[k][k];
      topMeanProb = new double[k];
      globalMean = new double[f];
      centroid = new double[k][maxModes][2][];
      centroidCount = new int[k][maxModes][2];
    }
  }

  @BeforeAll
  static void generate() {
    model = new LatentVideoModel(CONFIG);
    int k = model.numClasses();
    int f = model.featureDim();
    summary = new Summary(k, f, CONFIG.maxModes());
    Summary s = summary;
    for (int v = 0; v < VIDEOS; v++) {
      SyntheticVideo video = model.video(v);
      int[] labels = video.labels();
      s.labels += labels.length;
      for (int a : labels) {
        s.classCount[a]++;
        for (int b : labels) {
          s.pairCount[a][b]++;
        }
      }
      for (int r = 0; r < video.probClasses().length; r++) {
        float p = video.probValues()[r];
        int bin = p < 0.1 ? 0 : p < 0.3 ? 1 : p < 0.7 ? 2 : p < 0.9 ? 3 : 4;
        s.binProb[bin] += p;
        s.binVar[bin] += p * (1.0 - p);
        s.binSize[bin]++;
        s.topMeanProb[video.probClasses()[r]] += p;
        if (Arrays.binarySearch(labels, video.probClasses()[r]) >= 0) {
          s.binPositives[bin]++;
        }
      }
      s.lengths[v] = video.numFrames();
      float[] x = video.frames();
      float[] mean = video.meanFeatures();
      for (float value : x) {
        s.values++;
        if (Math.abs(value) >= 1.999f) {
          s.clipped++;
        }
      }
      for (int t = 1; t < video.numFrames(); t++) {
        for (int j = 0; j < f; j++) {
          double a = x[(t - 1) * f + j] - mean[j];
          double b = x[t * f + j] - mean[j];
          s.lagProduct += a * b;
          s.lagSquares += a * a;
        }
      }
      for (int j = 0; j < f; j++) {
        s.globalMean[j] += mean[j] / (double) VIDEOS;
      }
      for (int i = 0; i < video.seedClasses().length; i++) {
        int c = video.seedClasses()[i];
        int m = video.seedModes()[i];
        if (Arrays.binarySearch(labels, c) < 0) {
          continue;
        }
        int half = v & 1;
        if (s.centroid[c][m][half] == null) {
          s.centroid[c][m][half] = new double[f];
        }
        for (int j = 0; j < f; j++) {
          s.centroid[c][m][half][j] += mean[j];
        }
        s.centroidCount[c][m][half]++;
      }
    }
  }

  @Test
  void sameSeedAndIndexGiveIdenticalVideosAcrossInstances() {
    LatentVideoModel again = new LatentVideoModel(CONFIG);
    for (long i : new long[] {0, 1, 17, 123_456_789L}) {
      assertEquals(model.video(i), again.video(i));
    }
  }

  @Test
  void differentIndicesGiveDifferentVideos() {
    SyntheticVideo a = model.video(5);
    SyntheticVideo b = model.video(6);
    assertNotEquals(a.id(), b.id());
    assertNotEquals(a, b);
    assertTrue(a.numFrames() != b.numFrames()
        || !Arrays.equals(a.frames(), b.frames()), "frames differ");
  }

  @Test
  void differentSeedsGiveDifferentData() {
    LatentVideoModel other = new LatentVideoModel(CONFIG.toBuilder().seed(2025).build());
    SyntheticVideo a = model.video(3);
    SyntheticVideo b = other.video(3);
    assertNotEquals(a.id(), b.id());
    assertNotEquals(a, b);
  }

  @Test
  void orderAndThreadsDoNotMatter() {
    LatentVideoModel fresh = new LatentVideoModel(CONFIG);
    SyntheticVideo sevenFirst = fresh.video(7);
    LatentVideoModel other = new LatentVideoModel(CONFIG);
    other.video(3);
    other.video(1_000_000);
    assertEquals(sevenFirst, other.video(7));

    List<SyntheticVideo> parallel = LongStream.range(0, 64).parallel().map(i -> 63 - i)
        .mapToObj(fresh::video).collect(Collectors.toList());
    for (SyntheticVideo v : parallel) {
      assertEquals(model.video(v.index()), v);
    }
  }

  @Test
  void videosAreWellFormed() {
    for (long i = 0; i < 200; i++) {
      SyntheticVideo v = model.video(i);
      assertEquals(i, v.index());
      assertEquals(VideoIds.id(CONFIG.seed(), i), v.id());
      assertTrue(v.numFrames() >= CONFIG.minFrames() && v.numFrames() <= CONFIG.maxFrames());
      assertEquals(CONFIG.featureDim(), v.featureDim());
      assertEquals((long) v.numFrames() * v.featureDim(), v.frames().length);
      for (float x : v.frames()) {
        assertTrue(x >= -2f && x <= 2f, "frame value " + x);
      }
      int[] labels = v.labels();
      for (int j = 1; j < labels.length; j++) {
        assertTrue(labels[j - 1] < labels[j], "labels sorted and distinct");
      }
      int[] listed = v.probClasses();
      float[] p = v.probValues();
      assertTrue(listed.length >= CONFIG.minListed());
      assertEquals(listed.length, Arrays.stream(listed).distinct().count());
      for (int r = 0; r < listed.length; r++) {
        assertTrue(p[r] >= 0f && p[r] <= 1f);
        if (r > 0) {
          assertTrue(p[r - 1] > p[r] || (p[r - 1] == p[r] && listed[r - 1] < listed[r]),
              "ranked descending");
        }
        if (r >= CONFIG.minListed()) {
          assertTrue(p[r] >= CONFIG.probabilityFloor(), "beyond the top 20 only above the floor");
        }
      }
      for (int label : labels) {
        assertTrue(v.probability(label) > 0f, "a label must have a listed probability");
      }
      int s = v.seedClasses().length;
      assertTrue(s >= 1 && s <= SynthConfig.MAX_SEEDS);
      for (int j = 0; j < s; j++) {
        assertTrue(v.seedModes()[j] < model.modeCount(v.seedClasses()[j]));
      }
    }
  }

  @Test
  void aboutThreeLabelsPerVideo() {
    double mean = (double) summary.labels / VIDEOS;
    assertTrue(mean > 2.3 && mean < 3.7, "mean labels per video " + mean);
  }

  @Test
  void classFrequencyFollowsAPowerLaw() {
    long[] count = summary.classCount;
    long[] sorted = Arrays.stream(count).sorted().toArray();
    long total = Arrays.stream(count).sum();
    long top = 0;
    for (int i = 0; i < summary.k / 10; i++) {
      top += sorted[sorted.length - 1 - i];
    }
    double share = (double) top / total;
    assertTrue(share > 0.5, "top 10% of classes hold " + share + " of positives");

    double[] third = new double[3];
    for (int c = 0; c < summary.k; c++) {
      third[c * 3 / summary.k] += count[c];
    }
    assertTrue(third[0] > 2 * third[1] && third[1] > third[2],
        "frequency by index thirds " + Arrays.toString(third));
    double rho = spearman(count);
    assertTrue(rho < -0.6, "Spearman correlation of frequency with class index " + rho);
    assertTrue(count[summary.k - 1] < count[0] / 20, "tail class much rarer than the head");
  }

  @Test
  void relatedClassesCoOccurFarAboveIndependence() {
    double sameObserved = 0;
    double sameExpected = 0;
    double otherObserved = 0;
    double otherExpected = 0;
    double bestLift = 0;
    for (int a = 0; a < summary.k; a++) {
      for (int b = a + 1; b < summary.k; b++) {
        double expected = (double) summary.classCount[a] * summary.classCount[b] / VIDEOS;
        long observed = summary.pairCount[a][b];
        if (sharesTopic(a, b)) {
          sameObserved += observed;
          sameExpected += expected;
          if (summary.classCount[a] >= 30 && summary.classCount[b] >= 30) {
            bestLift = Math.max(bestLift, observed / expected);
          }
        } else {
          otherObserved += observed;
          otherExpected += expected;
        }
      }
    }
    double sameLift = sameObserved / sameExpected;
    double otherLift = otherObserved / otherExpected;
    assertTrue(sameLift > 3, "pooled lift of classes sharing a topic " + sameLift);
    assertTrue(otherLift < 1.5, "pooled lift of unrelated classes " + otherLift);
    assertTrue(bestLift > 10, "best lift among classes with 30+ positives " + bestLift);
  }

  @Test
  void labelsAreBernoulliDrawsFromTheListedProbabilities() {
    for (int bin = 0; bin < 5; bin++) {
      long n = summary.binSize[bin];
      assertTrue(n > 100, "bin " + bin + " has " + n + " pairs");
      double expected = summary.binProb[bin];
      double sd = Math.sqrt(summary.binVar[bin]);
      double observed = summary.binPositives[bin];
      assertTrue(Math.abs(observed - expected) < 4 * sd + 1,
          "bin " + bin + ": " + observed + " positives, expected " + expected + " +- " + sd);
    }
    // The most common classes: label rate against the mean true probability.
    for (int c = 0; c < 10; c++) {
      double expected = summary.topMeanProb[c];
      double observed = summary.classCount[c];
      double sd = Math.sqrt(expected);
      assertTrue(Math.abs(observed - expected) < 4 * sd + 1,
          "class " + c + ": " + observed + " labels, true probabilities sum to " + expected);
    }
  }

  @Test
  void multiModeClassesArePositiveInSeparatedRegions() {
    for (int k = 0; k < model.numClasses(); k++) {
      double[] first = model.modeVector(k, 0);
      assertEquals(1.0, dot(first, first), 1e-5);
      for (int m = 1; m < model.modeCount(k); m++) {
        double[] u = model.modeVector(k, m);
        assertTrue(dot(first, u) < -0.15, "class " + k + " mode " + m + " against mode 0");
      }
    }
    // In feature space: centroids of positives reached through different modes point apart,
    // while two disjoint halves of one mode's positives agree.
    int checked = 0;
    for (int k = 0; k < model.numClasses(); k++) {
      for (int m = 1; m < model.modeCount(k); m++) {
        int[][] n = summary.centroidCount[k];
        if (n[0][0] + n[0][1] < 20 || n[m][0] + n[m][1] < 20 || n[0][0] < 8 || n[0][1] < 8) {
          continue;
        }
        double[] c0 = centered(summary.centroid[k][0], n[0]);
        double[] cm = centered(summary.centroid[k][m], n[m]);
        double across = cosine(c0, cm);
        double within = cosine(centered(summary.centroid[k][0][0], n[0][0]),
            centered(summary.centroid[k][0][1], n[0][1]));
        assertTrue(across < 0.1, "class " + k + " modes 0 and " + m + ": cosine " + across);
        assertTrue(within > 0.5, "class " + k + " mode 0 split halves: cosine " + within);
        checked++;
      }
    }
    assertTrue(checked >= 3, "multi-mode classes with enough positives: " + checked);
  }

  @Test
  void framesVaryOverTimeAndLengthsSpread() {
    double lag1 = summary.lagProduct / summary.lagSquares;
    assertTrue(lag1 > 0.2, "lag-1 autocorrelation of frames around their mean " + lag1);
    double clippedShare = (double) summary.clipped / summary.values;
    assertTrue(clippedShare < 0.005, "share of values at the clip limit " + clippedShare);

    int[] lengths = summary.lengths;
    double mean = Arrays.stream(lengths).average().orElseThrow();
    double sd = Math.sqrt(Arrays.stream(lengths).mapToDouble(l -> (l - mean) * (l - mean))
        .average().orElseThrow());
    long atMax = Arrays.stream(lengths).filter(l -> l == CONFIG.maxFrames()).count();
    assertTrue(sd > 40, "length standard deviation " + sd);
    assertTrue(atMax > VIDEOS / 10 && atMax < VIDEOS / 2, "videos at the maximum " + atMax);
    assertTrue(Arrays.stream(lengths).min().orElseThrow() < CONFIG.minFrames() + 10);

    SyntheticVideo v = model.video(0);
    assertTrue(!Arrays.equals(v.frame(0), v.frame(v.numFrames() - 1)));
  }

  @Test
  void worksWithSmallAndUnevenConfigurations() {
    SynthConfig tiny = SynthConfig.builder().numClasses(3).rgbDim(5).audioDim(2).frames(1, 3)
        .maxModes(2).build();
    LatentVideoModel m = new LatentVideoModel(tiny);
    for (long i = 0; i < 50; i++) {
      SyntheticVideo v = m.video(i);
      assertEquals(3, v.probClasses().length, "all classes listed when fewer than minListed");
      assertEquals(v.numFrames() * 7, v.frames().length);
    }
    assertThrows(IllegalArgumentException.class, () -> m.video(-1));
  }

  @Test
  void describeNamesTheParameters() {
    String d = model.describe();
    assertTrue(d.contains("300 in 25 topics"), d);
    assertTrue(d.contains("d = " + model.latentDim()), d);
    assertTrue(d.contains("seed 2024"), d);
    assertTrue(d.contains("rgb 1024 + audio 128"), d);
  }

  private static boolean sharesTopic(int a, int b) {
    for (int i = 0; i < model.modeCount(a); i++) {
      for (int j = 0; j < model.modeCount(b); j++) {
        if (model.modeTopic(a, i) == model.modeTopic(b, j)) {
          return true;
        }
      }
    }
    return false;
  }

  private static double[] centered(double[][] halves, int[] counts) {
    double[] sum = new double[summary.f];
    for (int h = 0; h < 2; h++) {
      if (halves[h] != null) {
        for (int j = 0; j < sum.length; j++) {
          sum[j] += halves[h][j];
        }
      }
    }
    return centered(sum, counts[0] + counts[1]);
  }

  private static double[] centered(double[] sum, int count) {
    double[] c = new double[summary.f];
    for (int j = 0; j < c.length; j++) {
      c[j] = sum[j] / count - summary.globalMean[j];
    }
    return c;
  }

  private static double spearman(long[] count) {
    int n = count.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(count[a], count[b]));
    double[] rank = new double[n];
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && count[order[j + 1]] == count[order[i]]) {
        j++;
      }
      for (int t = i; t <= j; t++) {
        rank[order[t]] = (i + j) / 2.0;
      }
      i = j + 1;
    }
    double mean = (n - 1) / 2.0;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (i - mean) * (rank[i] - mean);
      sxx += (i - mean) * (i - mean);
      syy += (rank[i] - mean) * (rank[i] - mean);
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double cosine(double[] a, double[] b) {
    return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
  }
}
