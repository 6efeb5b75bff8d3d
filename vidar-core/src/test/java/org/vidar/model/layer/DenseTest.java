package org.vidar.model.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;

class DenseTest {

  /** {@code y = act(x·W + b)} in double with straight loops; params at the layer's offsets. */
  static double[] reference(double[] p, int wOff, int bOff, int in, int out, Activation act,
      double[] x, int rows) {
    double[] y = new double[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < out; j++) {
        double z = p[bOff + j];
        for (int i = 0; i < in; i++) {
          z += x[r * in + i] * p[wOff + i * out + j];
        }
        y[r * out + j] = switch (act) {
          case NONE -> z;
          case RELU -> Math.max(0, z);
          case RELU6 -> Math.min(Math.max(0, z), 6);
        };
      }
    }
    return y;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Kernels k : GradCheck.kernels()) {
      for (Activation act : Activation.values()) {
        for (int rows : new int[] {1, 3, 7}) {
          for (int[] dims : new int[][] {{1, 1}, {1, 5}, {5, 1}, {5, 13}, {13, 5}, {13, 13}}) {
            out.add(Arguments.of(k, act, rows, dims[0], dims[1]));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} rows={2} in={3} out={4}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(Kernels kernels, Activation act, int rows, int in, int out) {
    SplittableRandom r = new SplittableRandom(rows * 1000L + in * 31L + out + act.ordinal() * 7L);
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("pad", 3);
    Dense dense = new Dense(b, "fc", in, out, act, kernels);
    ParameterLayout layout = b.build();
    // Wide enough that some pre-activations pass 0 and, for RELU6, 6.
    float[] params = GradCheck.uniform(r, layout.size(), -2, 2);
    float[] x = GradCheck.uniform(r, rows * in, -2, 2);
    int w = dense.weight().offset();
    int bias = dense.bias().offset();
    GradCheck.check(dense.name(), dense, dense.newScratch(), layout, params, x, rows,
        (p, xx, n) -> reference(p, w, bias, in, out, act, xx, n), r);
    GradCheck.checkAccumulation(dense.name(), dense, layout, params, rows, r);
  }

  @Test
  void initializeUsesHeOrGlorotAndZeroBias() {
    ParameterLayout.Builder b = ParameterLayout.builder();
    Dense relu = new Dense(b, "a", 40, 30, Activation.RELU, KernelProvider.select("java"));
    Dense linear = new Dense(b, "b", 40, 30, Activation.NONE, KernelProvider.select("java"));
    ParameterLayout layout = b.build();
    float[] params = new float[layout.size()];
    java.util.Arrays.fill(params, 9f);
    relu.initialize(params, new SplittableRandom(1));
    linear.initialize(params, new SplittableRandom(2));
    double he = Math.sqrt(6.0 / 40);
    double glorot = Math.sqrt(6.0 / 70);
    double maxHe = 0;
    double maxGlorot = 0;
    for (int i = 0; i < 40 * 30; i++) {
      maxHe = Math.max(maxHe, Math.abs(params[relu.weight().offset() + i]));
      maxGlorot = Math.max(maxGlorot, Math.abs(params[linear.weight().offset() + i]));
    }
    assertTrue(maxHe <= he && maxHe > 0.9 * he, "He bound " + maxHe);
    assertTrue(maxGlorot <= glorot && maxGlorot > 0.9 * glorot, "Glorot bound " + maxGlorot);
    for (int j = 0; j < 30; j++) {
      assertEquals(0f, params[relu.bias().offset() + j]);
      assertEquals(0f, params[linear.bias().offset() + j]);
    }
  }

  @Test
  void scratchGrowsAndIsReused() {
    ParameterLayout.Builder b = ParameterLayout.builder();
    Dense dense = new Dense(b, "fc", 5, 4, Activation.RELU, KernelProvider.select("java"));
    ParameterLayout layout = b.build();
    SplittableRandom r = new SplittableRandom(5);
    float[] params = GradCheck.uniform(r, layout.size(), -1, 1);
    Dense.Scratch s = dense.newScratch();
    float[] big = GradCheck.uniform(r, 7 * 5, -1, 1);
    dense.forward(params, big, 7, new float[7 * 4], s);
    float[] z = s.z;
    // A smaller batch after a larger one: same buffers, and results as with a fresh scratch.
    float[] x = GradCheck.uniform(r, 2 * 5, -1, 1);
    float[] y1 = new float[2 * 4];
    float[] y2 = new float[2 * 4];
    dense.forward(params, x, 2, y1, s);
    dense.forward(params, x, 2, y2, dense.newScratch());
    assertTrue(z == s.z);
    org.junit.jupiter.api.Assertions.assertArrayEquals(y2, y1);
  }
}
