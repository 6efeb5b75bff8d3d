package org.vidar.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {

  @Test
  void quadraticReachesSolutionInFewIterations() {
    // Float parameters (|x| about 3, eigenvalues up to 100) resolve the gradient only to about 1e-5
    // per element, so the gradient tolerance is 1e-4 (error at most 1e-4 / smallest eigenvalue 1).
    TestProblems.Quadratic q = new TestProblems.Quadratic(30, 100, 1);
    float[] x = new float[30];
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(200, 1e-4, 0)).minimize(q, x);
    assertEquals(StopReason.GRADIENT_NORM, r.reason(), r.toString());
    // Observed: 58 iterations, error 1e-5.
    assertTrue(TestProblems.maxAbsError(x, q.solution) < 1e-4, "error " + TestProblems.maxAbsError(x, q.solution));
    assertTrue(r.iterations() <= 80, "iterations " + r.iterations());
  }

  @Test
  void wellConditionedQuadraticInAFewIterations() {
    TestProblems.Quadratic q = new TestProblems.Quadratic(50, 4, 9);
    float[] x = new float[50];
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(200, 1e-4, 0)).minimize(q, x);
    assertEquals(StopReason.GRADIENT_NORM, r.reason(), r.toString());
    assertTrue(TestProblems.maxAbsError(x, q.solution) < 1e-5, "error " + TestProblems.maxAbsError(x, q.solution));
    assertTrue(r.iterations() <= 20, "iterations " + r.iterations());
  }

  @Test
  void oneDimensionalQuadraticInOneIteration() {
    // f(x) = 2 (x - 3)^2: the first step along -g with a cubic fit lands on the minimizer.
    DifferentiableFunction f = (x, g) -> {
      double t = x[0] - 3.0;
      g[0] = (float) (4 * t);
      return 2 * t * t;
    };
    float[] x = {0f};
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(50, 1e-5, 0)).minimize(f, x);
    assertEquals(3.0, x[0], 1e-5);
    assertTrue(r.iterations() <= 3, r.toString());
  }

  @Test
  void rosenbrock2d() {
    float[] x = TestProblems.rosenbrockStart(2);
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(500, 1e-6, 0)).minimize(TestProblems.ROSENBROCK, x);
    assertTrue(TestProblems.maxAbsError(x, TestProblems.ones(2)) < 1e-4, java.util.Arrays.toString(x) + " " + r);
    assertTrue(r.iterations() < 100, r.toString());
  }

  @Test
  void rosenbrock10d() {
    float[] x = TestProblems.rosenbrockStart(10);
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(1000, 1e-6, 0)).minimize(TestProblems.ROSENBROCK, x);
    assertTrue(TestProblems.maxAbsError(x, TestProblems.ones(10)) < 1e-4, java.util.Arrays.toString(x) + " " + r);
    assertTrue(r.iterations() < 200, r.toString());
  }

  @Test
  void logisticRegressionMatchesNewton() {
    TestProblems.Logistic p = new TestProblems.Logistic(300, 6, 0.01, 7);
    double[] expected = p.newtonSolution();
    float[] w = new float[p.dimension()];
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(500, 1e-7, 0)).minimize(p, w);
    assertTrue(r.converged(), r.toString());
    assertTrue(TestProblems.maxAbsError(w, expected) < 1e-5, "error " + TestProblems.maxAbsError(w, expected));
  }

  @Test
  void memoryOfOneStillConverges() {
    TestProblems.Quadratic q = new TestProblems.Quadratic(10, 10, 3);
    float[] x = new float[10];
    OptimizationResult r = new Lbfgs(new LbfgsConfig(1, 500, 1e-6, 0, 1e-4, 0.9, 20)).minimize(q, x);
    assertTrue(r.converged(), r.toString());
    assertTrue(TestProblems.maxAbsError(x, q.solution) < 1e-5);
  }

  @Test
  void lossToleranceStops() {
    float[] x = TestProblems.rosenbrockStart(2);
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(1000, 0, 1e-3)).minimize(TestProblems.ROSENBROCK, x);
    assertEquals(StopReason.LOSS_CHANGE, r.reason(), r.toString());
  }

  @Test
  void iterationBudgetStops() {
    float[] x = TestProblems.rosenbrockStart(2);
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(3, 0, 0)).minimize(TestProblems.ROSENBROCK, x);
    assertEquals(StopReason.MAX_ITERATIONS, r.reason());
    assertEquals(3, r.iterations());
    assertTrue(r.evaluations() >= 4);
  }

  @Test
  void wrongGradientFailsLineSearchAndKeepsStart() {
    // The reported gradient points uphill, so no step along -g decreases the loss.
    DifferentiableFunction lying = (x, g) -> {
      double v = 0;
      for (int i = 0; i < x.length; i++) {
        v += x[i] * x[i];
        g[i] = -2 * x[i];
      }
      return v;
    };
    float[] x = {1f, -2f};
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(100, 1e-8, 0)).minimize(lying, x);
    assertEquals(StopReason.LINE_SEARCH_FAILED, r.reason());
    assertArrayEquals(new float[] {1f, -2f}, x);
    assertEquals(5.0, r.loss(), 0);
  }

  @Test
  void failureAfterProgressResetsMemoryThenStopsAtLastAcceptedPoint() {
    // Honest for 6 evaluations, then the gradient is reported negated: the quasi-Newton direction
    // fails, the memory is dropped, steepest descent along the false gradient fails too.
    int[] calls = {0};
    TestProblems.Quadratic q = new TestProblems.Quadratic(4, 5, 8);
    DifferentiableFunction turning = (x, g) -> {
      double v = q.valueAndGradient(x, g);
      if (++calls[0] > 6) {
        for (int i = 0; i < g.length; i++) {
          g[i] = -g[i];
        }
      }
      return v;
    };
    float[] x = new float[4];
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(100, 1e-9, 0)).minimize(turning, x);
    assertEquals(StopReason.LINE_SEARCH_FAILED, r.reason(), r.toString());
    assertTrue(r.iterations() >= 1, r.toString());
    assertEquals(q.valueAndGradient(x, new float[4]), r.loss(), 0, "x is the point whose loss is reported");
  }

  @Test
  void lineSearchBacksOffFromNaN() {
    // Undefined for x < 0; the first trial step (length 1 along -g) lands at -0.5.
    DifferentiableFunction f = (x, g) -> {
      if (x[0] < 0) {
        g[0] = Float.NaN;
        return Double.NaN;
      }
      double t = x[0] - 0.1;
      g[0] = (float) (2 * t);
      return t * t;
    };
    float[] x = {0.5f};
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(50, 1e-6, 0)).minimize(f, x);
    assertTrue(r.converged(), r.toString());
    assertEquals(0.1, x[0], 1e-6);
  }

  @Test
  void startingAtMinimumStopsAtOnce() {
    float[] x = {1f, 1f, 1f};
    OptimizationResult r = new Lbfgs(LbfgsConfig.of(100, 1e-8, 0)).minimize(TestProblems.ROSENBROCK, x);
    assertEquals(0, r.iterations());
    assertEquals(1, r.evaluations());
    assertEquals(StopReason.GRADIENT_NORM, r.reason());
  }

  @Test
  void cubicMinimizerOfACubic() {
    // f(t) = (t - 1)^3 - 3 (t - 1) has its local minimum at t = 2.
    double a = 0.5;
    double b = 3.0;
    double fa = Math.pow(a - 1, 3) - 3 * (a - 1);
    double fb = Math.pow(b - 1, 3) - 3 * (b - 1);
    double ga = 3 * Math.pow(a - 1, 2) - 3;
    double gb = 3 * Math.pow(b - 1, 2) - 3;
    assertEquals(2.0, Lbfgs.cubicMinimizer(a, fa, ga, b, fb, gb), 1e-12);
    assertEquals(2.0, Lbfgs.cubicMinimizer(b, fb, gb, a, fa, ga), 1e-12);
  }

  @Test
  void configValidation() {
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(0, 10, 1e-6, 0, 1e-4, 0.9, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, -1, 1e-6, 0, 1e-4, 0.9, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, 10, -1, 0, 1e-4, 0.9, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, 10, 1e-6, Double.NaN, 1e-4, 0.9, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, 10, 1e-6, 0, 0.9, 0.1, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, 10, 1e-6, 0, 1e-4, 1.0, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, 10, 1e-6, 0, 0, 0.9, 20));
    assertThrows(IllegalArgumentException.class, () -> new LbfgsConfig(5, 10, 1e-6, 0, 1e-4, 0.9, 1));
    assertThrows(IllegalArgumentException.class, () -> new Lbfgs(null));
  }
}
