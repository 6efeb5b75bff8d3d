package org.vidar.optim;

/**
 * Adam (Kingma &amp; Ba 2015) for mini-batch training, with optional decoupled weight decay
 * (Loshchilov &amp; Hutter's AdamW). Works on one flat parameter array; knows nothing of where the
 * gradient came from.
 */
public final class Adam {
  private final AdamConfig config;
  private final AdamState state;
  /** Multiplies the configured learning rate (1 unless {@link #scaleLearningRate} lowered it). */
  private double rateScale = 1;

  /** An optimizer with fresh state for {@code size} parameters. */
  public Adam(AdamConfig config, int size) {
    this(config, new AdamState(size));
  }

  /** An optimizer continuing from {@code state} (e.g. restored from a checkpoint); the state is used, not copied. */
  public Adam(AdamConfig config, AdamState state) {
    if (config == null || state == null) {
      throw new IllegalArgumentException("config and state must not be null");
    }
    this.config = config;
    this.state = state;
  }

  public AdamConfig config() {
    return config;
  }

  /**
   * Multiplies the learning rate of the steps begun from now on by {@code factor} (a schedule's
   * decay, for example halving it when held-out loss stops falling).
   */
  public void scaleLearningRate(double factor) {
    rateScale *= positiveFinite("factor", factor);
  }

  /** The learning rate the next step uses: the configured one times every scale applied so far. */
  public double learningRate() {
    return config.learningRate() * rateScale;
  }

  /** The live state, for checkpoints. */
  public AdamState state() {
    return state;
  }

  /**
   * One update in place. With t the step count after increment, g the gradient, lr the learning
   * rate and lambda the weight decay:
   * <pre>
   *   m &lt;- beta1 m + (1 - beta1) g
   *   v &lt;- beta2 v + (1 - beta2) g^2
   *   x &lt;- x - lr ( (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon) + lambda x )
   * </pre>
   * The decay term uses x before this update and is not scaled by the moments (decoupled).
   */
  public void step(float[] params, float[] grad) {
    int n = state.size();
    if (params.length != n || grad.length != n) {
      throw new IllegalArgumentException("optimizer holds " + n + " parameters, got params " + params.length
          + " and gradient " + grad.length);
    }
    Step s = beginStep();
    s.update(params, grad, 0, n, 1f, 0f);
  }

  /**
   * Starts update t + 1: the caller then applies {@link Step#update} to every parameter exactly
   * once, in ranges, from any threads (ranges must not overlap).
   */
  public Step beginStep() {
    return beginStep(1);
  }

  /**
   * As {@link #beginStep()}, with this step's learning rate (and weight decay) times
   * {@code rateFactor} on top of {@link #learningRate()}: a schedule's rate for one step, which
   * later steps do not keep (unlike {@link #scaleLearningRate}).
   */
  public Step beginStep(double rateFactor) {
    double rate = learningRate() * positiveFinite("rateFactor", rateFactor);
    long t = ++state.step;
    return new Step(t, rate);
  }

  /** {@code value}, when it is a positive finite factor; else an error naming it. */
  private static double positiveFinite(String name, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
    }
    return value;
  }

  /** The constants of one update; {@link #update} applies it to a range of parameters. */
  public final class Step {
    private final float b1;
    private final float b2;
    private final float lr;
    private final float eps;
    private final float decay;
    /** lr / (1 - beta1^t): folds the first bias correction into the step size. */
    private final float lrCorrected;
    /** 1 / sqrt(1 - beta2^t), so that sqrt(v / (1 - beta2^t)) = sqrt(v) * it. */
    private final float rootCorrection;

    private Step(long t, double learningRate) {
      double b1d = config.beta1();
      double b2d = config.beta2();
      this.b1 = (float) b1d;
      this.b2 = (float) b2d;
      this.lr = (float) learningRate;
      this.eps = (float) config.epsilon();
      this.decay = (float) config.weightDecay();
      this.lrCorrected = (float) (learningRate / (1.0 - Math.pow(b1d, t)));
      this.rootCorrection = (float) (1.0 / Math.sqrt(1.0 - Math.pow(b2d, t)));
    }

    /**
     * Updates {@code params[from, to)} with the gradient {@code gradScale · grad[i] + l2 · params[i]}
     * (a mean over a batch and an L2 penalty's gradient, fused so the arrays are read once). In
     * float, one pass with no branch, so that the JIT vectorizes it: this runs over every
     * parameter at every mini-batch.
     */
    public void update(float[] params, float[] grad, int from, int to, float gradScale, float l2) {
      float[] m = state.m;
      float[] v = state.v;
      checkRange(params, grad, from, to);
      float ob1 = 1f - b1;
      float ob2 = 1f - b2;
      float lrDecay = lr * decay;
      for (int i = from; i < to; i++) {
        float x = params[i];
        float g = gradScale * grad[i] + l2 * x;
        float mi = b1 * m[i] + ob1 * g;
        float vi = b2 * v[i] + ob2 * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] = x - lrCorrected * mi / ((float) Math.sqrt(vi) * rootCorrection + eps) - lrDecay * x;
      }
    }

    /**
     * As {@link #update(float[], float[], int, int, float, float)}, with parameter {@code i}'s step
     * (and weight decay) multiplied by {@code rate[i]}: a learning rate of each parameter's own,
     * 0 freezing it (its moments still move). A loop of its own on purpose: one loop for both, with
     * {@code rate == null ? 1 : rate[i]}, was not vectorized for the rated case (7.8 ms against 1.4
     * ms a step over 3 million parameters).
     */
    public void update(float[] params, float[] grad, int from, int to, float gradScale, float l2, float[] rate) {
      float[] m = state.m;
      float[] v = state.v;
      checkRange(params, grad, from, to);
      if (rate.length != m.length) {
        throw new IllegalArgumentException(rate.length + " rates for " + m.length + " parameters");
      }
      float ob1 = 1f - b1;
      float ob2 = 1f - b2;
      float lrDecay = lr * decay;
      for (int i = from; i < to; i++) {
        float x = params[i];
        float g = gradScale * grad[i] + l2 * x;
        float mi = b1 * m[i] + ob1 * g;
        float vi = b2 * v[i] + ob2 * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] = x - rate[i] * (lrCorrected * mi / ((float) Math.sqrt(vi) * rootCorrection + eps) + lrDecay * x);
      }
    }

    private void checkRange(float[] params, float[] grad, int from, int to) {
      int n = state.m.length;
      if (from < 0 || to > n || from > to || params.length != n || grad.length != n) {
        throw new IllegalArgumentException("range [" + from + ", " + to + ") of " + n
            + " parameters, params " + params.length + ", gradient " + grad.length);
      }
    }
  }
}
