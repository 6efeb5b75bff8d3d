package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures the label statistics at YouTube-8M's two class counts and prints them, so the figures
 * quoted in {@link LatentVideoModel}'s documentation can be checked; asserts the ranges that matter.
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
    pairs.sort((a, b) -> Float.compare(b[0], a[0]));
    double ap = 0;
    int hits = 0;
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i)[1] > 0) {
        hits++;
        ap += (double) hits / (i + 1);
      }
    }
    return new Stats((double) labels / videos, (double) seeds / videos,
        (double) seedLabelled / seeds, (double) spurious / videos, (double) listed / videos,
        ap / totalPositives, ms);
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
}
