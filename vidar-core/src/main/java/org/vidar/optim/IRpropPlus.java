package org.vidar.optim;

/**
 * iRprop+ (Igel &amp; Hüsken 2000), a full-batch first-order method that adapts one step size per
 * weight from the signs of successive gradients and takes back a weight's last update when its
 * gradient changed sign and the loss rose.
 */
public final class IRpropPlus {
  /** {@link #minimize} stops when the relative loss change stays below tolerance this many times in a row. */
  public static final int STALL_ITERATIONS = 5;

  private final IRpropConfig config;
  private final IRpropState state;

  /** An optimizer with fresh state for {@code size} parameters. */
  public IRpropPlus(IRpropConfig config, int size) {
    this(config, new IRpropState(size, config.delta0()));
  }

  /** An optimizer continuing from {@code state}; the state is used, not copied. */
  public IRpropPlus(IRpropConfig config, IRpropState state) {
    if (config == null || state == null) {
      throw new IllegalArgumentException("config and state must not be null");
    }
    this.config = config;
    this.state = state;
  }

  public IRpropConfig config() {
    return config;
  }

  /** The live state, for checkpoints. */
  public IRpropState state() {
    return state;
  }

  /**
   * One iRprop+ update in place, given the loss E(t) and gradient g(t) the caller evaluated at
   * {@code params}. For each weight w with step size Delta, remembered gradient g' and last update dw:
   * <pre>
   *   if g' g &gt; 0:  Delta &lt;- min(eta+ Delta, DeltaMax); dw &lt;- -sign(g) Delta; w &lt;- w + dw; g' &lt;- g
   *   if g' g &lt; 0:  Delta &lt;- max(eta- Delta, DeltaMin); if E(t) &gt; E(t-1): w &lt;- w - dw;  g' &lt;- 0
   *   if g' g = 0:  dw &lt;- -sign(g) Delta; w &lt;- w + dw; g' &lt;- g
   * </pre>
   * The second line is the weight backtracking; setting g' to 0 makes the next step for that weight
   * take the third line, so its step size is not shrunk twice. E(0) is +infinity, so nothing is
   * reverted on the first step. {@code grad} is not modified.
   */
  public void step(float[] params, float[] grad, double loss) {
    int n = state.size();
    if (params.length != n || grad.length != n) {
      throw new IllegalArgumentException("optimizer holds " + n + " parameters, got params " + params.length
          + " and gradient " + grad.length);
    }
    if (Double.isNaN(loss)) {
      throw new IllegalArgumentException("loss is NaN at step " + (state.step + 1));
    }
    boolean lossRose = loss > state.previousLoss;
    float etaPlus = (float) config.etaPlus();
    float etaMinus = (float) config.etaMinus();
    float deltaMin = (float) config.deltaMin();
    float deltaMax = (float) config.deltaMax();
    float[] delta = state.delta;
    float[] prev = state.previousGradient;
    float[] dw = state.lastUpdate;
    for (int i = 0; i < n; i++) {
      float g = grad[i];
      float p = prev[i];
      if (p * g > 0) {
        float d = Math.min(delta[i] * etaPlus, deltaMax);
        delta[i] = d;
        float u = -Math.signum(g) * d;
        dw[i] = u;
        params[i] += u;
        prev[i] = g;
      } else if (p * g < 0) {
        delta[i] = Math.max(delta[i] * etaMinus, deltaMin);
        if (lossRose) {
          params[i] -= dw[i];
        }
        // dw is left as it was: the next step for this weight takes the g' = 0 branch and overwrites it.
        prev[i] = 0f;
      } else {
        float u = -Math.signum(g) * delta[i];
        dw[i] = u;
        params[i] += u;
        prev[i] = g;
      }
    }
    state.previousLoss = loss;
    state.step++;
  }

  /**
   * Minimizes {@code f} from {@code x}, updating {@code x} in place. Each iteration evaluates f and
   * then takes one {@link #step}; it stops before stepping when every gradient element is zero, when
   * |E(t) - E(t-1)| / max(|E(t)|, |E(t-1)|, 1) &lt; tolerance for {@link #STALL_ITERATIONS} iterations in a
   * row, or after {@code maxIterations} steps. On return {@code x} is the last evaluated point and
   * the result's loss is its loss (not necessarily the lowest seen: backtracking can raise it).
   */
  public OptimizationResult minimize(DifferentiableFunction f, float[] x, int maxIterations, double tolerance) {
    return minimize(f, x, maxIterations, tolerance, IterationListener.NONE, () -> false);
  }

  /**
   * As above, telling {@code listener} after every step (iteration t is step t, at the loss it
   * started from), and stopping ({@link StopReason#CALLER}) when {@code enough} says so, asked after
   * every evaluation but the first (it may look at what the function saw there).
   */
  public OptimizationResult minimize(DifferentiableFunction f, float[] x, int maxIterations, double tolerance,
      IterationListener listener, java.util.function.BooleanSupplier enough) {
    if (maxIterations < 0) {
      throw new IllegalArgumentException("maxIterations must be non-negative, got " + maxIterations);
    }
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException("tolerance must be non-negative, got " + tolerance);
    }
    if (x.length != state.size()) {
      throw new IllegalArgumentException("optimizer holds " + state.size() + " parameters, got " + x.length);
    }
    float[] g = new float[x.length];
    double previous = Double.NaN;
    int stalled = 0;
    int evaluations = 0;
    for (int iteration = 0; ; iteration++) {
      double loss = f.valueAndGradient(x, g);
      evaluations++;
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("loss is " + loss + " at iteration " + iteration);
      }
      if (allZero(g)) {
        return new OptimizationResult(loss, iteration, evaluations, StopReason.GRADIENT_NORM);
      }
      if (iteration > 0) {
        double change = Math.abs(loss - previous) / Math.max(Math.max(Math.abs(loss), Math.abs(previous)), 1.0);
        stalled = change < tolerance ? stalled + 1 : 0;
        if (stalled >= STALL_ITERATIONS) {
          return new OptimizationResult(loss, iteration, evaluations, StopReason.LOSS_CHANGE);
        }
        if (enough.getAsBoolean()) {
          return new OptimizationResult(loss, iteration, evaluations, StopReason.CALLER);
        }
      }
      if (iteration >= maxIterations) {
        return new OptimizationResult(loss, iteration, evaluations, StopReason.MAX_ITERATIONS);
      }
      step(x, g, loss);
      previous = loss;
      listener.iterationDone(iteration + 1, loss);
    }
  }

  private static boolean allZero(float[] g) {
    for (float v : g) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }
}
