package org.vidar.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamTest {

  @Test
  void firstStepMovesEachWeightByTheLearningRate() {
    // With bias correction the first update is lr * g / (|g| + eps), whatever the gradient's scale.
    Adam adam = new Adam(AdamConfig.of(0.1), 3);
    float[] x = {1f, 1f, 1f};
    adam.step(x, new float[] {1000f, -0.001f, 0f});
    assertEquals(0.9f, x[0], 1e-6f);
    assertEquals(1.1f, x[1], 1e-4f);
    assertEquals(1f, x[2], 0f);
    assertEquals(1, adam.state().step());
  }

  @Test
  void matchesTheFormulaOverSeveralSteps() {
    AdamConfig c = new AdamConfig(0.05, 0.8, 0.99, 1e-6, 0.01);
    Adam adam = new Adam(c, 1);
    float[] x = {2f};
    double xd = 2;
    double m = 0;
    double v = 0;
    double[] grads = {0.5, -1.5, 2.0, 0.25};
    for (int t = 1; t <= grads.length; t++) {
      double g = grads[t - 1];
      adam.step(x, new float[] {(float) g});
      m = 0.8 * m + 0.2 * g;
      v = 0.99 * v + 0.01 * g * g;
      xd -= 0.05 * ((m / (1 - Math.pow(0.8, t))) / (Math.sqrt(v / (1 - Math.pow(0.99, t))) + 1e-6) + 0.01 * xd);
      assertEquals(xd, x[0], 1e-5, "step " + t);
    }
  }

  @Test
  void quadraticReachesSolution() {
    // Same problem as the L-BFGS and iRprop+ tests. With exact gradients the steps shrink by themselves
    // as g falls while v still remembers the large early gradients (observed error 3e-7).
    TestProblems.Quadratic q = new TestProblems.Quadratic(30, 100, 1);
    float[] x = new float[30];
    float[] g = new float[30];
    Adam adam = new Adam(AdamConfig.of(0.05), 30);
    for (int t = 0; t < 3000; t++) {
      q.valueAndGradient(x, g);
      adam.step(x, g);
    }
    assertTrue(TestProblems.maxAbsError(x, q.solution) < 1e-5, "error " + TestProblems.maxAbsError(x, q.solution));
  }

  @Test
  void noisyQuadraticConvergesNearOptimum() {
    int n = 20;
    Random r = new Random(11);
    double[] curvature = new double[n];
    double[] optimum = new double[n];
    for (int i = 0; i < n; i++) {
      curvature[i] = 0.5 + 4.5 * r.nextDouble();
      optimum[i] = 3 * r.nextGaussian();
    }
    float[] x = new float[n];
    float[] g = new float[n];
    Adam fast = new Adam(AdamConfig.of(0.05), n);
    Adam slow = new Adam(AdamConfig.of(0.002), fast.state());
    double[] mean = new double[n];
    int steps = 6000;
    int averaged = 1000;
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < n; i++) {
        // gradient of 0.5 c (x - o)^2 plus noise of standard deviation 1
        g[i] = (float) (curvature[i] * (x[i] - optimum[i]) + r.nextGaussian());
      }
      (t < steps / 2 ? fast : slow).step(x, g);
      if (t >= steps - averaged) {
        for (int i = 0; i < n; i++) {
          mean[i] += x[i] / (double) averaged;
        }
      }
    }
    double lastError = TestProblems.maxAbsError(x, optimum);
    double meanError = 0;
    for (int i = 0; i < n; i++) {
      meanError = Math.max(meanError, Math.abs(mean[i] - optimum[i]));
    }
    // Observed: last iterate 0.037, average of the last 1000 iterates 0.022.
    assertTrue(lastError < 0.1, "last iterate error " + lastError);
    assertTrue(meanError < 0.05, "averaged iterate error " + meanError);
  }

  @Test
  void weightDecayShrinksWithZeroGradient() {
    Adam adam = new Adam(new AdamConfig(0.1, 0.9, 0.999, 1e-8, 0.5), 1);
    float[] x = {4f};
    adam.step(x, new float[] {0f});
    assertEquals(4.0 * (1 - 0.1 * 0.5), x[0], 1e-6);
  }

  @Test
  void checkpointRestoreContinuesIdentically() {
    int n = 7;
    Random r = new Random(5);
    float[][] grads = new float[40][n];
    for (float[] g : grads) {
      for (int i = 0; i < n; i++) {
        g[i] = (float) r.nextGaussian();
      }
    }
    AdamConfig c = new AdamConfig(0.01, 0.9, 0.999, 1e-8, 1e-3);
    Adam live = new Adam(c, n);
    float[] x = new float[n];
    for (int t = 0; t < 20; t++) {
      live.step(x, grads[t]);
    }
    // Checkpoint through the read-only views, as a writer would.
    float[] m = toArray(live.state().firstMoment());
    float[] v = toArray(live.state().secondMoment());
    long step = live.state().step();
    float[] xSaved = x.clone();

    for (int t = 20; t < 40; t++) {
      live.step(x, grads[t]);
    }
    Adam restored = new Adam(c, AdamState.restore(m, v, step));
    m[0] = 99f; // the restored state must not alias the checkpoint arrays
    for (int t = 20; t < 40; t++) {
      restored.step(xSaved, grads[t]);
    }
    assertArrayEquals(x, xSaved);
    assertArrayEquals(toArray(live.state().firstMoment()), toArray(restored.state().firstMoment()));
    assertEquals(40, restored.state().step());
  }

  @Test
  void stateViewsAreReadOnly() {
    Adam adam = new Adam(AdamConfig.of(0.1), 2);
    assertThrows(java.nio.ReadOnlyBufferException.class, () -> adam.state().firstMoment().put(0, 1f));
    assertThrows(java.nio.ReadOnlyBufferException.class, () -> adam.state().secondMoment().put(0, 1f));
  }

  @Test
  void rejectsMismatchedLengths() {
    Adam adam = new Adam(AdamConfig.of(0.1), 2);
    assertThrows(IllegalArgumentException.class, () -> adam.step(new float[3], new float[3]));
    assertThrows(IllegalArgumentException.class, () -> adam.step(new float[2], new float[1]));
    assertThrows(IllegalArgumentException.class, () -> AdamState.restore(new float[2], new float[3], 0));
    assertThrows(IllegalArgumentException.class, () -> AdamState.restore(new float[2], new float[2], -1));
  }

  @Test
  void configValidation() {
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(0, 0.9, 0.999, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(Double.NaN, 0.9, 0.999, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(Double.POSITIVE_INFINITY, 0.9, 0.999, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(0.1, 1.0, 0.999, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(0.1, -0.1, 0.999, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(0.1, 0.9, 1.0, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(0.1, 0.9, 0.999, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamConfig(0.1, 0.9, 0.999, 1e-8, -1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(null, 3));
  }

  static float[] toArray(FloatBuffer b) {
    float[] a = new float[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  /** The fused update (mean of a sum, plus an L2 term) equals a plain step on the gradient it stands for. */
  @Test
  void fusedUpdateEqualsAStepOnTheScaledGradientWithL2() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    int n = 37;
    float[] x0 = new float[n];
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      x0[i] = (float) r.nextDouble(-1, 1);
      g[i] = (float) r.nextDouble(-5, 5);
    }
    AdamConfig c = new AdamConfig(0.01, 0.9, 0.999, 1e-8, 0.001);
    Adam plain = new Adam(c, n);
    Adam fused = new Adam(c, n);
    float[] a = x0.clone();
    float[] b = x0.clone();
    for (int step = 0; step < 5; step++) {
      float[] eff = new float[n];
      for (int i = 0; i < n; i++) {
        eff[i] = 0.25f * g[i] + 0.5f * a[i];
      }
      plain.step(a, eff);
      Adam.Step s = fused.beginStep();
      s.update(b, g, 0, 20, 0.25f, 0.5f);
      s.update(b, g, 20, n, 0.25f, 0.5f);
    }
    for (int i = 0; i < n; i++) {
      assertEquals(a[i], b[i], 1e-6, "param " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> fused.beginStep().update(b, g, 30, n + 1, 1f, 0f));
  }

  /** A scaled learning rate scales every later step, and only later ones. */
  @Test
  void scalingTheLearningRateScalesTheStep() {
    float[] grad = {0.3f, -2f, 5e-3f};
    float[] a = {1f, 1f, 1f};
    float[] b = a.clone();
    Adam plain = new Adam(AdamConfig.of(0.01), 3);
    Adam halved = new Adam(AdamConfig.of(0.01), 3);
    halved.scaleLearningRate(0.5);
    assertEquals(0.005, halved.learningRate(), 1e-15);
    plain.step(a, grad);
    halved.step(b, grad);
    for (int i = 0; i < a.length; i++) {
      assertEquals(0.5 * (1f - a[i]), 1f - b[i], 1e-6, "parameter " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> plain.scaleLearningRate(0));
    assertThrows(IllegalArgumentException.class, () -> plain.scaleLearningRate(-1));
    assertThrows(IllegalArgumentException.class,
        () -> plain.scaleLearningRate(Double.NaN));
  }

  /**
   * A step's own rate factor scales that step (and its weight decay) as a learning rate that many
   * times larger would, and leaves the next step at the configured rate.
   */
  @Test
  void aStepsRateFactorScalesThatStepAlone() {
    float[] grad = {0.3f, -2f, 5e-3f};
    float[] boosted = {1f, -1f, 0.5f};
    float[] larger = boosted.clone();
    Adam withFactor = new Adam(new AdamConfig(0.01, 0.9, 0.999, 1e-8, 1e-3), 3);
    Adam withLargerRate = new Adam(new AdamConfig(0.015, 0.9, 0.999, 1e-8, 1e-3), 3);
    withFactor.beginStep(1.5).update(boosted, grad, 0, 3, 1f, 0f);
    withLargerRate.beginStep().update(larger, grad, 0, 3, 1f, 0f);
    assertArrayEquals(larger, boosted, 1e-7f, "first step: as at rate 0.015");
    assertEquals(0.01, withFactor.learningRate(), 0, "the factor is not kept");
    // Same parameters and moments now, so the next steps differ by their rates alone: 0.01 against 0.015.
    float[] before = boosted.clone();
    withFactor.beginStep().update(boosted, grad, 0, 3, 1f, 0f);
    withLargerRate.beginStep().update(larger, grad, 0, 3, 1f, 0f);
    for (int i = 0; i < 3; i++) {
      assertEquals(larger[i] - before[i], 1.5 * (boosted[i] - before[i]), 1e-7, "second step, parameter " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> withFactor.beginStep(0));
    assertThrows(IllegalArgumentException.class, () -> withFactor.beginStep(Double.POSITIVE_INFINITY));
  }

  /**
   * A rate of each parameter's own scales its step (and weight decay) alone: 1 is the plain step,
   * 0 freezes the parameter, 0.5 halves its step; without an L2 term, the moments move as without
   * rates.
   */
  @Test
  void perParameterRatesScaleEachStep() {
    float[] grad = {0.3f, -2f, 5e-3f};
    AdamConfig config = new AdamConfig(0.01, 0.9, 0.999, 1e-8, 1e-3);
    float[] plainParams = {1f, -1f, 0.5f};
    float[] rated = plainParams.clone();
    Adam plain = new Adam(config, 3);
    Adam withRates = new Adam(config, 3);
    float[] rate = {1f, 0f, 0.5f};
    for (int t = 0; t < 3; t++) {
      float[] before = plainParams.clone();
      float[] ratedBefore = rated.clone();
      plain.beginStep().update(plainParams, grad, 0, 3, 1f, 0f);
      withRates.beginStep().update(rated, grad, 0, 3, 1f, 0f, rate);
      if (t == 0) {
        assertEquals(plainParams[0], rated[0], 0f, "rate 1");
        assertEquals(-1f, rated[1], 0f, "rate 0 freezes");
        assertEquals(0.5 * (plainParams[2] - before[2]), rated[2] - ratedBefore[2], 1e-7, "rate 0.5");
      }
    }
    assertEquals(-1f, rated[1], 0f, "still frozen");
    assertArrayEquals(plain.state().m, withRates.state().m, 1e-6f, "moments");
    assertThrows(IllegalArgumentException.class,
        () -> withRates.beginStep().update(rated, grad, 0, 3, 1f, 0f, new float[2]));
  }
}
