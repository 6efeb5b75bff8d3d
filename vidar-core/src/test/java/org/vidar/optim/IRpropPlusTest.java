package org.vidar.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IRpropPlusTest {

  /** f(w) = sum of w_i^2, so the gradient is 2w. */
  private static double squares(float[] w, float[] g) {
    double v = 0;
    for (int i = 0; i < w.length; i++) {
      v += (double) w[i] * w[i];
      g[i] = 2 * w[i];
    }
    return v;
  }

  @Test
  void revertsWeightWhenSignFlipsAndLossRises() {
    // Delta0 = 3 from w = 1 overshoots to -2: the gradient flips and the loss rises from 1 to 4.
    IRpropPlus opt = new IRpropPlus(new IRpropConfig(1.2, 0.5, 0, 50, 3), 1);
    float[] w = {1f};
    float[] g = new float[1];
    double loss = squares(w, g);
    opt.step(w, g, loss);
    assertEquals(-2f, w[0]);
    loss = squares(w, g);
    assertEquals(4.0, loss);
    opt.step(w, g, loss);
    assertEquals(1f, w[0], "the overshooting update is taken back");
    assertEquals(1.5f, opt.state().delta().get(0), "step size halved");
    assertEquals(0f, opt.state().previousGradient().get(0), "flipped gradient remembered as 0");
    // Next step takes the g' = 0 branch: a plain step of the halved size, no further shrink.
    loss = squares(w, g);
    opt.step(w, g, loss);
    assertEquals(-0.5f, w[0]);
    assertEquals(1.5f, opt.state().delta().get(0));
  }

  @Test
  void keepsWeightWhenSignFlipsButLossFell() {
    // Delta0 = 1.5 from w = 1 overshoots to -0.5: the gradient flips but the loss falls from 1 to 0.25.
    IRpropPlus opt = new IRpropPlus(new IRpropConfig(1.2, 0.5, 0, 50, 1.5), 1);
    float[] w = {1f};
    float[] g = new float[1];
    opt.step(w, g, squares(w, g));
    opt.step(w, g, squares(w, g));
    assertEquals(-0.5f, w[0], "no backtracking when the loss fell");
    assertEquals(0.75f, opt.state().delta().get(0));
    assertEquals(0f, opt.state().previousGradient().get(0));
  }

  @Test
  void backtrackingIsPerWeight() {
    // Weight 0 overshoots (flip), weight 1 does not; the total loss rises, so only weight 0 reverts.
    IRpropPlus opt = new IRpropPlus(new IRpropConfig(1.2, 0.5, 0, 50, 3), 2);
    float[] w = {1f, 10f};
    float[] g = new float[2];
    opt.step(w, g, squares(w, g));
    assertArrayEquals(new float[] {-2f, 7f}, w);
    // The true loss fell (101 to 53); report a higher one, as if other terms of the loss had risen.
    double loss = squares(w, g);
    opt.step(w, g, 1000 + loss);
    assertEquals(1f, w[0], "flipped weight reverted");
    assertEquals(7f - 3.6f, w[1], 1e-6f, "same-sign weight grew its step to 3 * 1.2");
  }

  @Test
  void firstStepMovesByDelta0AgainstTheGradientSign() {
    IRpropPlus opt = new IRpropPlus(IRpropConfig.withDelta0(0.1), 3);
    float[] w = {5f, -5f, 0f};
    opt.step(w, new float[] {100f, -0.001f, 0f}, 1.0);
    assertArrayEquals(new float[] {4.9f, -4.9f, 0f}, w);
  }

  @Test
  void stepSizeRespectsBounds() {
    IRpropPlus opt = new IRpropPlus(new IRpropConfig(2, 0.5, 0.25, 1.0, 0.5), 1);
    float[] w = {0f};
    for (int i = 0; i < 5; i++) {
      opt.step(w, new float[] {-1f}, 1.0); // constant gradient: step grows until deltaMax
    }
    assertEquals(1.0f, opt.state().delta().get(0));
    for (int i = 0; i < 10; i++) {
      opt.step(w, new float[] {i % 2 == 0 ? 1f : -1f}, 1.0); // alternating: shrinks until deltaMin
    }
    assertEquals(0.25f, opt.state().delta().get(0));
  }

  @Test
  void quadraticReachesSolution() {
    TestProblems.Quadratic q = new TestProblems.Quadratic(30, 100, 1);
    float[] x = new float[30];
    IRpropPlus opt = new IRpropPlus(IRpropConfig.withDelta0(0.1), 30);
    OptimizationResult r = opt.minimize(q, x, 5000, 1e-12);
    assertTrue(TestProblems.maxAbsError(x, q.solution) < 1e-4, "error " + TestProblems.maxAbsError(x, q.solution));
  }

  @Test
  void rosenbrock2dGetsClose() {
    float[] x = TestProblems.rosenbrockStart(2);
    OptimizationResult r = new IRpropPlus(IRpropConfig.withDelta0(0.1), 2)
        .minimize(TestProblems.ROSENBROCK, x, 5000, 0);
    // Observed: within 2e-4 after 5000 steps; sign-based steps crawl along the curved valley.
    assertTrue(TestProblems.maxAbsError(x, TestProblems.ones(2)) < 1e-3, Arrays.toString(x) + " " + r);
  }

  @Test
  void rosenbrock10dGetsClose() {
    float[] x = TestProblems.rosenbrockStart(10);
    OptimizationResult r = new IRpropPlus(IRpropConfig.withDelta0(0.1), 10)
        .minimize(TestProblems.ROSENBROCK, x, 20000, 0);
    // Observed: within 6e-5 after 20000 steps.
    assertTrue(TestProblems.maxAbsError(x, TestProblems.ones(10)) < 1e-3, Arrays.toString(x) + " " + r);
  }

  @Test
  void logisticRegressionMatchesNewton() {
    TestProblems.Logistic p = new TestProblems.Logistic(300, 6, 0.01, 7);
    double[] expected = p.newtonSolution();
    float[] w = new float[p.dimension()];
    OptimizationResult r = new IRpropPlus(IRpropConfig.withDelta0(0.1), w.length).minimize(p, w, 3000, 1e-13);
    assertTrue(TestProblems.maxAbsError(w, expected) < 1e-4, "error " + TestProblems.maxAbsError(w, expected));
  }

  @Test
  void stopsWhenLossStalls() {
    TestProblems.Quadratic q = new TestProblems.Quadratic(5, 10, 2);
    float[] x = new float[5];
    OptimizationResult r = new IRpropPlus(IRpropConfig.withDelta0(0.1), 5).minimize(q, x, 100000, 1e-6);
    assertEquals(StopReason.LOSS_CHANGE, r.reason(), r.toString());
    assertTrue(r.iterations() < 100000);
    assertEquals(r.iterations() + 1, r.evaluations());
  }

  /** The caller's test is asked after every evaluation but the first, and ends the run there. */
  @Test
  void stopsWhenTheCallerSaysEnough() {
    TestProblems.Quadratic q = new TestProblems.Quadratic(5, 10, 2);
    float[] x = new float[5];
    int[] evaluations = {0};
    DifferentiableFunction counted = (w, g) -> {
      evaluations[0]++;
      return q.valueAndGradient(w, g);
    };
    OptimizationResult r = new IRpropPlus(IRpropConfig.withDelta0(0.1), 5).minimize(counted, x, 100, 0,
        IterationListener.NONE, () -> evaluations[0] >= 4);
    assertEquals(StopReason.CALLER, r.reason(), r.toString());
    assertEquals(4, r.evaluations());
    assertEquals(3, r.iterations());
    assertEquals(4, evaluations[0]);
  }

  @Test
  void stopsOnIterationBudgetAndOnZeroGradient() {
    float[] x = TestProblems.rosenbrockStart(2);
    OptimizationResult r = new IRpropPlus(IRpropConfig.defaults(), 2).minimize(TestProblems.ROSENBROCK, x, 7, 0);
    assertEquals(StopReason.MAX_ITERATIONS, r.reason());
    assertEquals(7, r.iterations());
    assertEquals(8, r.evaluations());

    float[] one = {1f, 1f};
    r = new IRpropPlus(IRpropConfig.defaults(), 2).minimize(TestProblems.ROSENBROCK, one, 7, 0);
    assertEquals(StopReason.GRADIENT_NORM, r.reason());
    assertEquals(0, r.iterations());
  }

  @Test
  void checkpointRestoreContinuesIdentically() {
    TestProblems.Quadratic q = new TestProblems.Quadratic(8, 50, 4);
    IRpropConfig c = IRpropConfig.withDelta0(0.3);
    IRpropPlus live = new IRpropPlus(c, 8);
    float[] x = new float[8];
    live.minimize(q, x, 15, 0);
    IRpropState s = live.state();
    float[] delta = AdamTest.toArray(s.delta());
    float[] prev = AdamTest.toArray(s.previousGradient());
    float[] last = AdamTest.toArray(s.lastUpdate());
    IRpropPlus restored = new IRpropPlus(c, IRpropState.restore(delta, prev, last, s.previousLoss(), s.step()));
    float[] y = x.clone();

    OptimizationResult a = live.minimize(q, x, 25, 0);
    OptimizationResult b = restored.minimize(q, y, 25, 0);
    assertArrayEquals(x, y);
    assertEquals(a, b);
    assertArrayEquals(AdamTest.toArray(live.state().delta()), AdamTest.toArray(restored.state().delta()));
    assertEquals(live.state().step(), restored.state().step());
    assertEquals(live.state().previousLoss(), restored.state().previousLoss());
  }

  @Test
  void rejectsBadArguments() {
    IRpropPlus opt = new IRpropPlus(IRpropConfig.defaults(), 2);
    assertThrows(IllegalArgumentException.class, () -> opt.step(new float[3], new float[3], 0));
    assertThrows(IllegalArgumentException.class, () -> opt.step(new float[2], new float[2], Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> opt.minimize(IRpropPlusTest::squares, new float[2], -1, 0));
    assertThrows(IllegalArgumentException.class, () -> opt.minimize(IRpropPlusTest::squares, new float[2], 1, -1));
    assertThrows(IllegalArgumentException.class,
        () -> IRpropState.restore(new float[2], new float[2], new float[1], 0, 0));
  }

  @Test
  void configValidation() {
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.0, 0.5, 0, 50, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 1.0, 0, 50, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0, 0, 50, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0.5, -1, 50, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0.5, 1, 0.5, 0.7));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0.5, 0, 50, 60));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0.5, 0, 50, 0));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0.5, 0, Double.NaN, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new IRpropConfig(1.2, 0.5, 0.2, 50, 0.1));
  }
}
