package org.vidar.model.layer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;

class ContextGatingTest {

  /** {@code y = σ(x·W + b) ⊙ x} in double with straight loops. */
  static double[] reference(double[] p, int wOff, int bOff, int d, double[] x, int rows) {
    double[] y = new double[rows * d];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < d; j++) {
        double z = p[bOff + j];
        for (int i = 0; i < d; i++) {
          z += x[r * d + i] * p[wOff + i * d + j];
        }
        y[r * d + j] = x[r * d + j] / (1 + Math.exp(-z));
      }
    }
    return y;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Kernels k : GradCheck.kernels()) {
      for (int rows : new int[] {1, 3, 7}) {
        for (int d : new int[] {1, 5, 13}) {
          out.add(Arguments.of(k, rows, d));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} rows={1} d={2}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(Kernels kernels, int rows, int d) {
    SplittableRandom r = new SplittableRandom(rows * 100L + d);
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("pad", 2);
    ContextGating cg = new ContextGating(b, "gate", d, kernels);
    ParameterLayout layout = b.build();
    float[] params = GradCheck.uniform(r, layout.size(), -1.5, 1.5);
    float[] x = GradCheck.uniform(r, rows * d, -2, 2);
    int w = cg.weight().offset();
    int bias = cg.bias().offset();
    GradCheck.check(cg.name(), cg, cg.newScratch(), layout, params, x, rows,
        (p, xx, n) -> reference(p, w, bias, d, xx, n), r);
    GradCheck.checkAccumulation(cg.name(), cg, layout, params, rows, r);
  }
}
