package org.vidar.model.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FramePoolingTest {

  /** Pooling in double with straight loops, one video and one feature at a time. */
  static double[] reference(FramePooling.Mode mode, int d, int[] offsets, int videos, double[] x) {
    double[] y = new double[videos * d];
    for (int v = 0; v < videos; v++) {
      for (int j = 0; j < d; j++) {
        double num = 0;
        double den = 0;
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int t = offsets[v]; t < offsets[v + 1]; t++) {
          double a = x[t * d + j];
          num += a * Math.abs(a);
          den += Math.abs(a);
          sum += a;
          max = Math.max(max, a);
        }
        int frames = offsets[v + 1] - offsets[v];
        y[v * d + j] = frames == 0 ? 0 : switch (mode) {
          case SWAP -> den == 0 ? 0 : num / den;
          case MEAN -> sum / frames;
          case MAX -> max;
        };
      }
    }
    return y;
  }

  static Stream<Arguments> cases() {
    int[][] frameCounts = {{1}, {4}, {1, 3, 1, 7, 2}};
    List<Arguments> out = new ArrayList<>();
    for (FramePooling.Mode mode : FramePooling.Mode.values()) {
      for (int[] counts : frameCounts) {
        for (int d : new int[] {1, 5, 13}) {
          out.add(Arguments.of(mode, counts, d));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} frames={1} d={2}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(FramePooling.Mode mode, int[] counts, int d) {
    SplittableRandom r = new SplittableRandom(mode.ordinal() * 1000L + counts.length * 37L + d);
    int videos = counts.length;
    int[] offsets = new int[videos + 1];
    for (int v = 0; v < videos; v++) {
      offsets[v + 1] = offsets[v] + counts[v];
    }
    int frames = offsets[videos];
    // Mixed signs for SWAP; continuous draws make MAX ties (and near-ties within eps) vanishingly rare.
    float[] x = GradCheck.uniform(r, frames * d, -1, 1);
    double[] xd = GradCheck.toDouble(x);
    FramePooling pool = new FramePooling(d, mode);
    FramePooling.Scratch s = pool.newScratch();
    float[] y = new float[videos * d];
    pool.forward(x, offsets, videos, y, s);
    GradCheck.assertForward(mode + " y", reference(mode, d, offsets, videos, xd), y, videos * d);

    float[] cf = GradCheck.uniform(r, videos * d, -1, 1);
    float[] dx = new float[frames * d];
    java.util.Arrays.fill(dx, Float.NaN); // backward must write every frame
    pool.backward(x, offsets, videos, cf, dx, s);
    double[] g = GradCheck.numeric(() -> reference(mode, d, offsets, videos, xd), xd, 0, frames * d,
        GradCheck.toDouble(cf), videos * d);
    GradCheck.assertGrad(mode + " dx", g, dx, 0, frames * d);
    pool.backward(x, offsets, videos, cf, null, s);
  }

  @Test
  void swapGuardsAllZeroFeaturesAndEmptyVideos() {
    FramePooling pool = new FramePooling(2, FramePooling.Mode.SWAP);
    // Video 0: feature 0 is zero in both frames; video 1 has no frames; video 2 one frame.
    float[] x = {0, 3, 0, -1, -2, 0.5f};
    int[] offsets = {0, 2, 2, 3};
    float[] y = new float[6];
    FramePooling.Scratch s = pool.newScratch();
    pool.forward(x, offsets, 3, y, s);
    assertEquals(0f, y[0]);
    assertEquals((9.0 - 1) / 4, y[1], 1e-6);
    assertEquals(0f, y[2]);
    assertEquals(0f, y[3]);
    assertEquals(-2f, y[4]);
    assertEquals(0.5f, y[5]);
    float[] dx = new float[6];
    pool.backward(x, offsets, 3, new float[] {1, 1, 1, 1, 1, 1}, dx, s);
    assertEquals(0f, dx[0]);
    assertEquals(0f, dx[2]);
  }

  @Test
  void emptyVideosPoolToZeroInEveryMode() {
    for (FramePooling.Mode mode : FramePooling.Mode.values()) {
      FramePooling pool = new FramePooling(1, mode);
      float[] y = {7, 7};
      FramePooling.Scratch s = pool.newScratch();
      pool.forward(new float[] {-3}, new int[] {0, 0, 1}, 2, y, s);
      assertEquals(0f, y[0], mode.toString());
      assertEquals(-3f, y[1], mode.toString());
      float[] dx = {9};
      pool.backward(new float[] {-3}, new int[] {0, 0, 1}, 2, new float[] {1, 2}, dx, s);
      assertEquals(mode == FramePooling.Mode.SWAP ? 2f * (6 - 3) / 3 : 2f, dx[0], 1e-6, mode.toString());
    }
  }

  @Test
  void framesBeforeTheFirstOffsetAreLeftAlone() {
    for (FramePooling.Mode mode : FramePooling.Mode.values()) {
      FramePooling pool = new FramePooling(1, mode);
      float[] x = {100, 100, 1, -2, 3};
      float[] y = new float[1];
      FramePooling.Scratch s = pool.newScratch();
      pool.forward(x, new int[] {2, 5}, 1, y, s);
      double expected = switch (mode) {
        case SWAP -> (1 - 4 + 9) / 6.0;
        case MEAN -> 2 / 3.0;
        case MAX -> 3;
      };
      assertEquals(expected, y[0], 1e-6, mode.toString());
      float[] dx = {42, 42, 0, 0, 0};
      pool.backward(x, new int[] {2, 5}, 1, new float[] {1}, dx, s);
      assertEquals(42f, dx[0]);
      assertEquals(42f, dx[1]);
    }
  }
}
