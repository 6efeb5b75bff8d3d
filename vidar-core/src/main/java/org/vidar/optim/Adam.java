package org.vidar.optim;

/**
 * Adam (Kingma &amp; Ba 2015) for mini-batch training, with optional decoupled weight decay
 * (Loshchilov &amp; Hutter's AdamW). Works on one flat parameter array; knows nothing of where the
 * gradient came from.
 */
public final class Adam {
  private final AdamConfig config;
  private final AdamState state;

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
    long t = ++state.step;
    double b1 = config.beta1();
    double b2 = config.beta2();
    double lr = config.learningRate();
    double eps = config.epsilon();
    double decay = config.weightDecay();
    double c1 = 1.0 / (1.0 - Math.pow(b1, t));
    double c2 = 1.0 / (1.0 - Math.pow(b2, t));
    float[] m = state.m;
    float[] v = state.v;
    for (int i = 0; i < n; i++) {
      double g = grad[i];
      double mi = b1 * m[i] + (1.0 - b1) * g;
      double vi = b2 * v[i] + (1.0 - b2) * g * g;
      m[i] = (float) mi;
      v[i] = (float) vi;
      double x = params[i];
      params[i] = (float) (x - lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps) + decay * x));
    }
  }
}
