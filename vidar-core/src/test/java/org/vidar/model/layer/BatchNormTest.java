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
import org.vidar.model.param.ParameterLayout;

class BatchNormTest {

  /** {@code y = γ·(x − μ)/sqrt(σ² + ε) + β} in double, μ and biased σ² from the batch or the running values. */
  static double[] reference(double[] p, BatchNorm bn, BatchNorm.Mode mode, double[] x, int rows) {
    int d = bn.inputDim();
    double[] y = new double[rows * d];
    for (int j = 0; j < d; j++) {
      double mean;
      double var;
      if (mode == BatchNorm.Mode.TRAINING) {
        mean = 0;
        for (int r = 0; r < rows; r++) {
          mean += x[r * d + j];
        }
        mean /= rows;
        var = 0;
        for (int r = 0; r < rows; r++) {
          var += (x[r * d + j] - mean) * (x[r * d + j] - mean);
        }
        var /= rows;
      } else {
        mean = p[bn.runningMean().offset() + j];
        var = p[bn.runningVar().offset() + j];
      }
      for (int r = 0; r < rows; r++) {
        y[r * d + j] = p[bn.gamma().offset() + j] * (x[r * d + j] - mean) / Math.sqrt(var + bn.epsilon())
            + p[bn.beta().offset() + j];
      }
    }
    return y;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (BatchNorm.Mode mode : BatchNorm.Mode.values()) {
      for (int rows : new int[] {1, 3, 7}) {
        for (int d : new int[] {1, 5, 13}) {
          out.add(Arguments.of(mode, rows, d));
        }
      }
    }
    return out.stream();
  }

  static float[] randomParams(BatchNorm bn, ParameterLayout layout, SplittableRandom r) {
    float[] params = GradCheck.uniform(r, layout.size(), -1.5, 1.5);
    for (int j = 0; j < bn.inputDim(); j++) {
      params[bn.runningVar().offset() + j] = (float) r.nextDouble(0.2, 2);
    }
    return params;
  }

  @ParameterizedTest(name = "{0} rows={1} d={2}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(BatchNorm.Mode mode, int rows, int d) {
    SplittableRandom r = new SplittableRandom(rows * 100L + d + mode.ordinal() * 10_000L);
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("pad", 4);
    BatchNorm bn = new BatchNorm(b, "bn", d);
    ParameterLayout layout = b.build();
    float[] params = randomParams(bn, layout, r);
    float[] x = GradCheck.uniform(r, rows * d, -2, 2);
    GradCheck.check(bn.name() + " " + mode, new Moded(bn, mode), bn.newScratch(mode), layout,
        params.clone(), x, rows, (p, xx, n) -> reference(p, bn, mode, xx, n), r);
    GradCheck.checkAccumulation(bn.name() + " " + mode, new Moded(bn, mode), layout, params, rows, r);
  }

  @Test
  void trainingUpdatesRunningStatisticsAndFrozenReadsThem() {
    ParameterLayout.Builder b = ParameterLayout.builder();
    BatchNorm bn = new BatchNorm(b, "bn", 2, 0.9, 1e-3);
    float[] params = new float[b.build().size()];
    bn.initialize(params, new SplittableRandom(1));
    assertEquals(1f, params[bn.gamma().offset()]);
    assertEquals(0f, params[bn.beta().offset() + 1]);
    assertEquals(0f, params[bn.runningMean().offset()]);
    assertEquals(1f, params[bn.runningVar().offset() + 1]);
    // Feature 0: 1, 2, 3 (mean 2, unbiased variance 1); feature 1: 0, 0, 6 (mean 2, variance 12).
    float[] x = {1, 0, 2, 0, 3, 6};
    float[] y = new float[6];
    BatchNorm.Scratch training = bn.newScratch(BatchNorm.Mode.TRAINING);
    // A forward pass reads the parameters only; committing its statistics moves the running ones,
    // the first time with momentum min(0.9, 1/10) = 0.1.
    float[] untouched = params.clone();
    bn.forward(params, x, 3, y, training);
    org.junit.jupiter.api.Assertions.assertArrayEquals(untouched, params, "TRAINING forward must not write params");
    bn.commitStatistics(params, training);
    assertEquals(0.9 * 2, params[bn.runningMean().offset()], 1e-6);
    assertEquals(0.1 + 0.9 * 1, params[bn.runningVar().offset()], 1e-6);
    assertEquals(0.9 * 2, params[bn.runningMean().offset() + 1], 1e-6);
    assertEquals(0.1 + 0.9 * 12, params[bn.runningVar().offset() + 1], 1e-6);
    // The second with 2/11. One row: the mean moves, the variance does not.
    bn.forward(params, new float[] {5, 5}, 1, y, training);
    bn.commitStatistics(params, training);
    float[] once = params.clone();
    bn.commitStatistics(params, training);
    org.junit.jupiter.api.Assertions.assertArrayEquals(once, params, "a pass's statistics count once");
    assertEquals(2.0 / 11 * 1.8 + 9.0 / 11 * 5, params[bn.runningMean().offset()], 1e-5);
    assertEquals(1.0, params[bn.runningVar().offset()], 1e-6);
    // From the 81st batch on, the layer's own momentum.
    assertEquals(2.0 / 11, bn.warmedMomentum(1), 1e-15);
    assertEquals(0.9, bn.warmedMomentum(80), 1e-15);
    assertEquals(0.9, bn.warmedMomentum(1000), 0);
    float[] before = params.clone();
    bn.forward(params, x, 3, y, bn.newScratch(BatchNorm.Mode.FROZEN));
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, params, "FROZEN must not write params");
    double invStd = 1 / Math.sqrt(params[bn.runningVar().offset()] + 1e-3);
    assertEquals((1 - params[bn.runningMean().offset()]) * invStd, y[0], 1e-6);
  }

  @Test
  void frozenGradientOverShardsEqualsGradientOverTheWholeBatch() {
    SplittableRandom r = new SplittableRandom(3);
    ParameterLayout.Builder b = ParameterLayout.builder();
    BatchNorm bn = new BatchNorm(b, "bn", 5);
    ParameterLayout layout = b.build();
    float[] params = randomParams(bn, layout, r);
    float[] x = GradCheck.uniform(r, 7 * 5, -2, 2);
    float[] dy = GradCheck.uniform(r, 7 * 5, -1, 1);
    float[] whole = new float[layout.size()];
    BatchNorm.Scratch s = bn.newScratch(BatchNorm.Mode.FROZEN);
    bn.forward(params, x, 7, new float[35], s);
    bn.backward(params, x, 7, dy, null, whole, s);
    float[] shards = new float[layout.size()];
    float[] x1 = java.util.Arrays.copyOfRange(x, 0, 15);
    float[] x2 = java.util.Arrays.copyOfRange(x, 15, 35);
    bn.forward(params, x1, 3, new float[15], s);
    bn.backward(params, x1, 3, java.util.Arrays.copyOfRange(dy, 0, 15), null, shards, s);
    bn.forward(params, x2, 4, new float[20], s);
    bn.backward(params, x2, 4, java.util.Arrays.copyOfRange(dy, 15, 35), null, shards, s);
    for (int i = 0; i < whole.length; i++) {
      assertEquals(whole[i], shards[i], 1e-5, "grad[" + i + "]");
    }
  }

  /** A normalizing layer whose {@link #newScratch()} uses a fixed mode, for the shared checks. */
  record Moded(NormalizingLayer bn, BatchNorm.Mode mode) implements Layer {
    @Override
    public int inputDim() {
      return bn.inputDim();
    }

    @Override
    public int outputDim() {
      return bn.outputDim();
    }

    @Override
    public void initialize(float[] params, SplittableRandom random) {
      bn.initialize(params, random);
    }

    @Override
    public Scratch newScratch() {
      return bn.newScratch(mode);
    }

    @Override
    public void forward(float[] params, float[] x, int rows, float[] y, Scratch s) {
      bn.forward(params, x, rows, y, s);
    }

    @Override
    public void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad, Scratch s) {
      bn.backward(params, x, rows, dy, dx, grad, s);
    }
  }
}
