package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures the label statistics at YouTube-8M's two class counts, for labels from the mean latent
 * and from its path over time, and prints them, so the figures quoted in {@link LatentVideoModel}'s
 * documentation can be checked; asserts the ranges that matter.
 */
class LatentVideoModelCalibrationTest {

  /** Label statistics over a run of videos. */
  record Stats(double meanLabels, double meanSeeds, double seedLabelled, double spurious,
      double meanListed, double oracleGap, double msPerVideo) {}

  static Stats measure(LatentVideoModel model, int videos) {
    long labels = 0;
    long seeds = 0;
    long seedLabelled = 0;
    long spurious = 0;
    long listed = 0;
    List<float[]> pairs = new ArrayList<>();
    long totalPositives = 0;
    long start = System.nanoTime();
    for (int v = 0; v < videos; v++) {
      SyntheticVideo video = model.video(v);
      labels += video.labels().length;
      seeds += video.seedClasses().length;
      listed += video.probClasses().length;
      totalPositives += video.labels().length;
      for (int s = 0; s < video.seedClasses().length; s++) {
        if (Arrays.binarySearch(video.labels(), video.seedClasses()[s]) >= 0) {
          seedLabelled++;
        }
      }
      for (int k : video.labels()) {
        if (!related(model, video, k)) {
          spurious++;
        }
      }
      for (int r = 0; r < Math.min(20, video.probClasses().length); r++) {
        int k = video.probClasses()[r];
        float y = Arrays.binarySearch(video.labels(), k) >= 0 ? 1 : 0;
        pairs.add(new float[] {video.probValues()[r], y});
      }
    }
    double ms = (System.nanoTime() - start) / 1e6 / videos;
    return new Stats((double) labels / videos, (double) seeds / videos,
        (double) seedLabelled / seeds, (double) spurious / videos, (double) listed / videos,
        gap(pairs, totalPositives), ms);
  }

  /** GAP over (score, label) pairs: the average precision of all of them ranked together. */
  static double gap(List<float[]> pairs, long totalPositives) {
    pairs.sort((a, b) -> Float.compare(b[0], a[0]));
    double ap = 0;
    int hits = 0;
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i)[1] > 0) {
        hits++;
        ap += (double) hits / (i + 1);
      }
    }
    return ap / totalPositives;
  }

  /**
   * GAP@20 of the mean-mode probabilities of each video's mean latent zbar, with sharpness beta and
   * threshold theta, against the videos' labels: what the oracle's own formula makes of zbar alone.
   */
  static double meanLatentGap(LatentVideoModel model, int videos, double beta, double theta) {
    List<float[]> pairs = new ArrayList<>();
    long positives = 0;
    for (int v = 0; v < videos; v++) {
      int[] labels = model.video(v).labels();
      positives += labels.length;
      float[] p = model.classProbabilities(model.latent(v).zbar(), beta, theta);
      Integer[] order = new Integer[p.length];
      for (int k = 0; k < p.length; k++) {
        order[k] = k;
      }
      Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
      for (int r = 0; r < Math.min(20, p.length); r++) {
        pairs.add(new float[] {p[order[r]], Arrays.binarySearch(labels, order[r]) >= 0 ? 1 : 0});
      }
    }
    return gap(pairs, positives);
  }

  /** A label is related to a video if its class has a mode in the topic of one of the seed modes. */
  static boolean related(LatentVideoModel model, SyntheticVideo video, int k) {
    for (int s = 0; s < video.seedClasses().length; s++) {
      int c = video.seedClasses()[s];
      if (c == k) {
        return true;
      }
      int topic = model.modeTopic(c, video.seedModes()[s]);
      for (int m = 0; m < model.modeCount(k); m++) {
        if (model.modeTopic(k, m) == topic) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void labelCountsStayNearThreeFrom300To4716Classes() {
    for (int classes : new int[] {300, 4716}) {
      LatentVideoModel model =
          new LatentVideoModel(SynthConfig.builder().numClasses(classes).seed(11).build());
      measure(model, 200);
      Stats s = measure(model, 1500);
      System.out.printf(Locale.ROOT,
          "K=%d d=%d modes=%d: labels/video %.3f, seeds %.3f, seed labelled %.3f, spurious %.4f,"
              + " listed %.1f, oracle GAP@20 %.4f, %.3f ms/video%n",
          classes, model.latentDim(), model.totalModes(), s.meanLabels(), s.meanSeeds(),
          s.seedLabelled(), s.spurious(), s.meanListed(), s.oracleGap(), s.msPerVideo());
      assertTrue(s.meanLabels() > 2.3 && s.meanLabels() < 3.7, "mean labels " + s.meanLabels());
      assertTrue(s.spurious() < 0.25, "spurious labels per video " + s.spurious());
    }
  }

  @Test
  void segmentLabelsStayNearThreeFrom300To4716Classes() {
    for (int classes : new int[] {300, 4716}) {
      LatentVideoModel model = new LatentVideoModel(SynthConfig.builder().numClasses(classes)
          .seed(11).labelSource(LabelSource.SEGMENTS).build());
      measure(model, 200);
      Stats s = measure(model, 1500);
      System.out.printf(Locale.ROOT,
          "segments K=%d: labels/video %.3f, seeds %.3f, seed labelled %.3f, spurious %.4f,"
              + " listed %.1f, oracle GAP@20 %.4f, %.3f ms/video%n",
          classes, s.meanLabels(), s.meanSeeds(), s.seedLabelled(), s.spurious(), s.meanListed(),
          s.oracleGap(), s.msPerVideo());
      assertTrue(s.meanLabels() > 2.3 && s.meanLabels() < 3.7, "mean labels " + s.meanLabels());
      assertTrue(s.spurious() < 0.25, "spurious labels per video " + s.spurious());
      assertTrue(s.oracleGap() > 0.9 && s.oracleGap() < 0.99, "oracle GAP " + s.oracleGap());
    }
  }

  /**
   * With labels from segments, a short segment where a class shows strongly labels the video
   * though the mean dilutes it: the same latent videos get other labels, more of their seeds are
   * labelled, and the mean latent alone, scored by the oracle's own formula at its best sharpness
   * and threshold, ranks the labels far worse than the path does.
   */
  @Test
  void segmentLabelsDependOnMoreThanTheMeanLatent() {
    SynthConfig mean = SynthConfig.builder().numClasses(300).seed(11).build();
    LatentVideoModel meanModel = new LatentVideoModel(mean);
    LatentVideoModel segModel = new LatentVideoModel(
        mean.toBuilder().labelSource(LabelSource.SEGMENTS).sharpness(0).threshold(0).build());
    int differ = 0;
    int videos = 600;
    for (int v = 0; v < videos; v++) {
      SyntheticVideo a = meanModel.video(v);
      SyntheticVideo b = segModel.video(v);
      assertArrayEquals(a.seedClasses(), b.seedClasses(), "the latent path is the same");
      assertEquals(a.numFrames(), b.numFrames());
      if (!Arrays.equals(a.probValues(), b.probValues())) {
        differ++;
      }
    }
    assertEquals(videos, differ, "every video's probabilities change");
    Stats m = measure(meanModel, videos);
    Stats s = measure(segModel, videos);
    assertTrue(s.seedLabelled() > m.seedLabelled() + 0.1,
        "seeds labelled: segments " + s.seedLabelled() + ", mean " + m.seedLabelled());

    double best = 0;
    String at = "";
    for (double beta : new double[] {10, 20, 40}) {
      for (double theta : new double[] {0.2, 0.35, 0.5}) {
        double g = meanLatentGap(segModel, videos, beta, theta);
        if (g > best) {
          best = g;
          at = "beta " + beta + " theta " + theta;
        }
      }
    }
    double meanSelf = meanLatentGap(meanModel, videos, mean.sharpness(), mean.threshold());
    System.out.printf(Locale.ROOT,
        "segments K=300: oracle GAP@20 %.4f from the path, %.4f from the mean latent (%s);"
            + " mean mode: oracle %.4f, from the mean latent %.4f%n",
        s.oracleGap(), best, at, m.oracleGap(), meanSelf);
    assertEquals(m.oracleGap(), meanSelf, 1e-9, "in the mean mode zbar is all the oracle uses");
    assertTrue(best < s.oracleGap() - 0.15,
        "mean-latent GAP " + best + " against the path's " + s.oracleGap());
  }
}
