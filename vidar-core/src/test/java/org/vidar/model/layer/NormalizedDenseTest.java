package org.vidar.model.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;

class NormalizedDenseTest {

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Kernels k : GradCheck.kernels()) {
      for (BatchNorm.Mode mode : BatchNorm.Mode.values()) {
        for (Activation act : new Activation[] {Activation.NONE, Activation.RELU}) {
          for (int rows : new int[] {1, 3, 7}) {
            for (int[] dims : new int[][] {{1, 1}, {5, 13}, {13, 5}}) {
              out.add(Arguments.of(k, mode, act, rows, dims[0], dims[1]));
            }
          }
        }
      }
    }
    return out.stream();
  }

  /** The fused layer with the two it stands for, over one layout (a pad tensor first). */
  record Pair(ParameterLayout layout, BatchNorm norm, Dense dense, NormalizedDense fused) {
    static Pair of(Kernels kernels, int in, int out, Activation act) {
      ParameterLayout.Builder b = ParameterLayout.builder();
      b.add("pad", 3);
      BatchNorm norm = new BatchNorm(b, "bn", in);
      Dense dense = new Dense(b, "fc", in, out, act, kernels);
      return new Pair(b.build(), norm, dense, new NormalizedDense(norm, dense));
    }

    double[] reference(double[] p, BatchNorm.Mode mode, double[] x, int rows) {
      double[] y = BatchNormTest.reference(p, norm, mode, x, rows);
      return DenseTest.reference(p, dense.weight().offset(), dense.bias().offset(), dense.inputDim(),
          dense.outputDim(), dense.activation(), y, rows);
    }
  }

  @ParameterizedTest(name = "{0} {1} {2} rows={3} in={4} out={5}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(Kernels kernels, BatchNorm.Mode mode, Activation act, int rows, int in,
      int out) {
    SplittableRandom r = new SplittableRandom(rows * 1000L + in * 31L + out + mode.ordinal() * 100_000L);
    Pair p = Pair.of(kernels, in, out, act);
    float[] params = BatchNormTest.randomParams(p.norm(), p.layout(), r);
    float[] x = GradCheck.uniform(r, rows * in, -2, 2);
    String what = "normalized dense " + mode + " " + act;
    BatchNormTest.Moded layer = new BatchNormTest.Moded(p.fused(), mode);
    GradCheck.check(what, layer, layer.newScratch(), p.layout(), params.clone(), x, rows,
        (pd, xd, n) -> p.reference(pd, mode, xd, n), r);
    GradCheck.checkAccumulation(what, layer, p.layout(), params, rows, r);
  }

  /**
   * At a trunk's scale the fused layer gives what the two layers give apart, up to float rounding:
   * outputs, every gradient with and without dx, and (bit for bit: the same code) the committed
   * running statistics.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void sameAsBatchNormThenDense(BatchNorm.Mode mode) {
    SplittableRandom r = new SplittableRandom(7 + mode.ordinal());
    int rows = 300;
    int in = 96;
    int out = 40;
    Pair p = Pair.of(GradCheck.kernels().get(1), in, out, Activation.NONE);
    float[] params = BatchNormTest.randomParams(p.norm(), p.layout(), r);
    float[] x = GradCheck.uniform(r, rows * in, -1, 3);
    float[] dy = GradCheck.uniform(r, rows * out, -1, 1);

    Layer.Scratch sn = p.norm().newScratch(mode);
    Layer.Scratch sd = p.dense().newScratch();
    float[] h = new float[rows * in];
    float[] yApart = new float[rows * out];
    p.norm().forward(params, x, rows, h, sn);
    p.dense().forward(params, h, rows, yApart, sd);
    float[] gradApart = new float[p.layout().size()];
    float[] dh = new float[rows * in];
    float[] dxApart = new float[rows * in];
    p.dense().backward(params, h, rows, dy, dh, gradApart, sd);
    p.norm().backward(params, x, rows, dh, dxApart, gradApart, sn);

    Layer.Scratch sf = p.fused().newScratch(mode);
    float[] y = new float[rows * out];
    p.fused().forward(params, x, rows, y, sf);
    float[] grad = new float[p.layout().size()];
    float[] dx = new float[rows * in];
    p.fused().backward(params, x, rows, dy, dx, grad, sf);
    float[] gradNoDx = new float[p.layout().size()];
    p.fused().backward(params, x, rows, dy, null, gradNoDx, sf);

    assertClose("y", yApart, y, 1e-5);
    assertClose("grad", gradApart, grad, 2e-5);
    assertArrayEquals(grad, gradNoDx, "the parameter gradient does not depend on asking for dx");
    assertClose("dx", dxApart, dx, 2e-5);

    float[] committedApart = params.clone();
    p.norm().commitStatistics(committedApart, sn);
    float[] committed = params.clone();
    p.fused().commitStatistics(committed, sf);
    assertArrayEquals(committedApart, committed, "running statistics");
    if (mode == BatchNorm.Mode.TRAINING) {
      assertEquals(false, java.util.Arrays.equals(params, committed), "a TRAINING pass moves the statistics");
    }
  }

  static Stream<BatchNorm.Mode> modes() {
    return Stream.of(BatchNorm.Mode.values());
  }

  /** {@code |a − b| ≤ tol·max(1, max|a|)} element-wise. */
  private static void assertClose(String what, float[] want, float[] got, double tol) {
    double scale = 1;
    for (float v : want) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], tol * scale, what + "[" + i + "]");
    }
  }

  @Test
  void widthsMustMatch() {
    ParameterLayout.Builder b = ParameterLayout.builder();
    BatchNorm norm = new BatchNorm(b, "bn", 4);
    Dense dense = new Dense(b, "fc", 5, 2, Activation.NONE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NormalizedDense(norm, dense));
    assertEquals("bn gives 4 values a row, fc takes 5", e.getMessage());
  }
}
