package org.vidar.optim;

/**
 * Limited-memory BFGS (Nocedal &amp; Wright, alg. 7.4 and 7.5) with a strong Wolfe line search
 * (alg. 3.5 bracketing and 3.6 zoom with cubic interpolation), for full-batch training of head groups.
 *
 * <p>Memory: the m pairs (s, y) are stored as float, 2·m·n·4 bytes (80 MB for m = 10 and a million
 * parameters, half of what double would take); every dot product, the scalars rho and alpha and the
 * search direction are double. Rounding s and y to float perturbs each element by a relative 6e-8,
 * far below what the float parameters themselves can resolve. Pairs with s'y not clearly positive are
 * skipped, so the implicit Hessian stays positive definite.
 */
public final class Lbfgs {
  private final LbfgsConfig config;

  public Lbfgs(LbfgsConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config is null");
    }
    this.config = config;
  }

  public LbfgsConfig config() {
    return config;
  }

  /**
   * Minimizes {@code f} from {@code x}, writing the final point into {@code x}. Stops on the gradient
   * norm, the relative loss decrease of one iteration (see {@link LbfgsConfig}) or the iteration
   * budget. When the two-loop direction d is not a descent direction (g'd &gt;= 0) or its line search
   * fails, the history is dropped and the iteration retried along -g; if that fails too the result is
   * {@link StopReason#LINE_SEARCH_FAILED} and {@code x} holds the last accepted point.
   */
  public OptimizationResult minimize(DifferentiableFunction f, float[] x) {
    return minimize(f, x, IterationListener.NONE);
  }

  /** As above, telling {@code listener} after every accepted iteration, with its loss. */
  public OptimizationResult minimize(DifferentiableFunction f, float[] x, IterationListener listener) {
    return new Run(f, x, listener).run();
  }

  /** One minimization's working arrays. */
  private final class Run {
    private final DifferentiableFunction f;
    private final IterationListener listener;
    private final float[] x;
    private final int n;
    private final float[] g;
    private final float[] xTrial;
    private final float[] gTrial;
    private final double[] d;
    private final float[][] s;
    private final float[][] y;
    private final double[] rho;
    private final double[] alpha;
    private int count;
    private int newest = -1;
    private int evaluations;
    // Set by evaluate(): directional derivative at the trial point.
    private double trialSlope;

    Run(DifferentiableFunction f, float[] x, IterationListener listener) {
      this.f = f;
      this.listener = listener;
      this.x = x;
      this.n = x.length;
      this.g = new float[n];
      this.xTrial = new float[n];
      this.gTrial = new float[n];
      this.d = new double[n];
      int m = config.memory();
      this.s = new float[m][];
      this.y = new float[m][];
      this.rho = new double[m];
      this.alpha = new double[m];
    }

    OptimizationResult run() {
      double loss = f.valueAndGradient(x, g);
      evaluations++;
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("loss is " + loss + " at the starting point");
      }
      if (norm(g) <= config.gradientTolerance()) {
        return new OptimizationResult(loss, 0, evaluations, StopReason.GRADIENT_NORM);
      }
      int iteration = 0;
      while (iteration < config.maxIterations()) {
        boolean first = count == 0;
        direction();
        double slope = dot(g, d);
        if (!(slope < 0)) {
          count = 0;
          steepestDescent();
          slope = dot(g, d);
          first = true;
        }
        double step = lineSearch(loss, slope, first ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0);
        if (Double.isNaN(step) && !first) {
          count = 0;
          steepestDescent();
          slope = dot(g, d);
          step = lineSearch(loss, slope, Math.min(1.0, 1.0 / Math.sqrt(-slope)));
        }
        if (Double.isNaN(step)) {
          return new OptimizationResult(loss, iteration, evaluations, StopReason.LINE_SEARCH_FAILED);
        }
        double newLoss = trialLoss;
        remember();
        System.arraycopy(xTrial, 0, x, 0, n);
        System.arraycopy(gTrial, 0, g, 0, n);
        iteration++;
        double change = (loss - newLoss) / Math.max(Math.max(Math.abs(loss), Math.abs(newLoss)), 1.0);
        loss = newLoss;
        listener.iterationDone(iteration, loss);
        if (norm(g) <= config.gradientTolerance()) {
          return new OptimizationResult(loss, iteration, evaluations, StopReason.GRADIENT_NORM);
        }
        if (change <= config.lossTolerance()) {
          return new OptimizationResult(loss, iteration, evaluations, StopReason.LOSS_CHANGE);
        }
      }
      return new OptimizationResult(loss, iteration, evaluations, StopReason.MAX_ITERATIONS);
    }

    private void steepestDescent() {
      for (int i = 0; i < n; i++) {
        d[i] = -g[i];
      }
    }

    /**
     * Two-loop recursion: d = -H g with H the L-BFGS inverse Hessian, H0 = gamma I,
     * gamma = s'y / y'y of the newest pair (1 with no history).
     */
    private void direction() {
      int m = config.memory();
      for (int i = 0; i < n; i++) {
        d[i] = g[i];
      }
      for (int k = 0, j = newest; k < count; k++, j = (j - 1 + m) % m) {
        double a = rho[j] * dot(s[j], d);
        alpha[j] = a;
        axpy(-a, y[j], d);
      }
      if (count > 0) {
        double gamma = 1.0 / (rho[newest] * dot(y[newest], y[newest]));
        for (int i = 0; i < n; i++) {
          d[i] *= gamma;
        }
      }
      for (int k = 0, j = (newest - count + 1 + m) % m; k < count; k++, j = (j + 1) % m) {
        double b = rho[j] * dot(y[j], d);
        axpy(alpha[j] - b, s[j], d);
      }
      for (int i = 0; i < n; i++) {
        d[i] = -d[i];
      }
    }

    /**
     * Stores s = xTrial - x and y = gTrial - g, with rho = 1 / y's, unless y's is not clearly positive.
     * The test runs first, on the float-rounded values, so a rejected pair never overwrites the oldest
     * stored one.
     */
    private void remember() {
      double ys = 0;
      double yy = 0;
      double ss = 0;
      for (int i = 0; i < n; i++) {
        double si = (float) ((double) xTrial[i] - x[i]);
        double yi = (float) ((double) gTrial[i] - g[i]);
        ys += yi * si;
        yy += yi * yi;
        ss += si * si;
      }
      if (!(ys > 1e-10 * Math.sqrt(yy * ss)) || !(yy > 0)) {
        return;
      }
      int m = config.memory();
      int slot = (newest + 1) % m;
      if (s[slot] == null) {
        s[slot] = new float[n];
        y[slot] = new float[n];
      }
      float[] sk = s[slot];
      float[] yk = y[slot];
      for (int i = 0; i < n; i++) {
        sk[i] = (float) ((double) xTrial[i] - x[i]);
        yk[i] = (float) ((double) gTrial[i] - g[i]);
      }
      rho[slot] = 1.0 / ys;
      newest = slot;
      count = Math.min(count + 1, m);
    }

    private double trialLoss;

    /** Loss at x + step d into xTrial/gTrial, slope g(x + step d)'d into trialSlope. */
    private double evaluate(double step) {
      for (int i = 0; i < n; i++) {
        xTrial[i] = (float) (x[i] + step * d[i]);
      }
      double value = f.valueAndGradient(xTrial, gTrial);
      evaluations++;
      trialSlope = dot(gTrial, d);
      trialLoss = value;
      return value;
    }

    /**
     * Finds a step a satisfying the strong Wolfe conditions
     * phi(a) &lt;= phi(0) + c1 a phi'(0) and |phi'(a)| &lt;= c2 |phi'(0)|, where phi(a) = E(x + a d).
     * On return xTrial/gTrial/trialLoss hold the accepted point. Fallback when the evaluation budget
     * runs out or the bracket collapses: accept the lowest-loss step seen that satisfies sufficient
     * decrease alone (Armijo), re-evaluated if it was not the last; NaN when there is none.
     */
    private double lineSearch(double phi0, double slope0, double initial) {
      double c1 = config.c1();
      double c2 = config.c2();
      int budget = config.maxLineSearchEvaluations();
      int used = 0;
      double prevStep = 0;
      double prevPhi = phi0;
      double prevSlope = slope0;
      double step = initial;
      double lo;
      double phiLo;
      double slopeLo;
      double hi;
      double phiHi;
      double slopeHi;
      while (true) {
        double phi = evaluate(step);
        used++;
        double slope = trialSlope;
        if (!Double.isFinite(phi) || phi > phi0 + c1 * step * slope0 || (used > 1 && phi >= prevPhi)) {
          lo = prevStep; phiLo = prevPhi; slopeLo = prevSlope;
          hi = step; phiHi = phi; slopeHi = slope;
          break;
        }
        if (Math.abs(slope) <= -c2 * slope0) {
          return step;
        }
        if (slope >= 0) {
          lo = step; phiLo = phi; slopeLo = slope;
          hi = prevStep; phiHi = prevPhi; slopeHi = prevSlope;
          break;
        }
        if (used >= budget) {
          // Still descending and satisfying Armijo: the trial point is acceptable, if not Wolfe.
          return step;
        }
        prevStep = step; prevPhi = phi; prevSlope = slope;
        step *= 2;
      }
      // Zoom: lo always satisfies sufficient decrease and has the lowest loss seen in the bracket.
      while (used < budget) {
        double width = Math.abs(hi - lo);
        if (width <= 1e-12 * Math.max(Math.abs(lo), Math.abs(hi))) {
          break;
        }
        double step2 = cubicMinimizer(lo, phiLo, slopeLo, hi, phiHi, slopeHi);
        double left = Math.min(lo, hi);
        double right = Math.max(lo, hi);
        if (!(step2 >= left + 0.1 * width && step2 <= right - 0.1 * width)) {
          step2 = 0.5 * (lo + hi);
        }
        double phi = evaluate(step2);
        used++;
        double slope = trialSlope;
        if (!Double.isFinite(phi) || phi > phi0 + c1 * step2 * slope0 || phi >= phiLo) {
          hi = step2; phiHi = phi; slopeHi = slope;
        } else {
          if (Math.abs(slope) <= -c2 * slope0) {
            return step2;
          }
          if (slope * (hi - lo) >= 0) {
            hi = lo; phiHi = phiLo; slopeHi = slopeLo;
          }
          lo = step2; phiLo = phi; slopeLo = slope;
        }
      }
      if (lo > 0 && phiLo < phi0) {
        evaluate(lo);
        return lo;
      }
      return Double.NaN;
    }
  }

  /**
   * Minimizer of the cubic matching values and slopes at a and b (Nocedal &amp; Wright eq. 3.59):
   * d1 = fa' + fb' - 3 (fa - fb) / (a - b), d2 = sign(b - a) sqrt(d1^2 - fa' fb'),
   * t = b - (b - a) (fb' + d2 - d1) / (fb' - fa' + 2 d2). NaN when it does not exist.
   */
  static double cubicMinimizer(double a, double fa, double ga, double b, double fb, double gb) {
    if (!Double.isFinite(fa) || !Double.isFinite(fb) || !Double.isFinite(ga) || !Double.isFinite(gb)) {
      return Double.NaN;
    }
    double d1 = ga + gb - 3 * (fa - fb) / (a - b);
    double disc = d1 * d1 - ga * gb;
    if (disc < 0) {
      return Double.NaN;
    }
    double d2 = Math.signum(b - a) * Math.sqrt(disc);
    return b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2);
  }

  private static double dot(float[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static void axpy(double a, float[] xs, double[] ys) {
    for (int i = 0; i < xs.length; i++) {
      ys[i] += a * xs[i];
    }
  }

  private static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }
}
