package org.vidar.model.layer;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.vidar.math.BulkMath;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * The paper's context gating, {@code y = σ(x·W + b) ⊙ x} with {@code W [d, d]} and {@code b [d]}
 * (tensors {@code name/weight}, {@code name/bias}): each feature is rescaled by a gate computed
 * from the whole row.
 */
public final class ContextGating implements Layer {
  private final String name;
  private final int d;
  private final TensorRef weight;
  private final TensorRef bias;
  private final Kernels kernels;
  private final BulkMath math = BulkMath.get();

  /** Context gating of width {@code d} on the kernels of this JVM. */
  public ContextGating(ParameterLayout.Builder builder, String name, int d) {
    this(builder, name, d, KernelProvider.get());
  }

  /** Context gating of width {@code d} whose matrix products run on {@code kernels}. */
  public ContextGating(ParameterLayout.Builder builder, String name, int d, Kernels kernels) {
    LayerChecks.dim(name + ": d", d);
    this.name = name;
    this.d = d;
    this.kernels = Objects.requireNonNull(kernels, "kernels");
    this.weight = builder.add(name + "/weight", d, d);
    this.bias = builder.add(name + "/bias", d);
  }

  /** Per-thread buffers of a {@link ContextGating} layer. */
  public static final class Scratch implements Layer.Scratch {
    float[] gate = new float[0];
    float[] dz = new float[0];
    // one row's gate logits and both sigmoids, in double for BulkMath
    double[] logit = new double[0];
    double[] sigmoid = new double[0];
    double[] sigmoidNeg = new double[0];
  }

  public String name() {
    return name;
  }

  @Override
  public int inputDim() {
    return d;
  }

  @Override
  public int outputDim() {
    return d;
  }

  public TensorRef weight() {
    return weight;
  }

  public TensorRef bias() {
    return bias;
  }

  /** Glorot uniform ({@code ±sqrt(6/(2d))}) weights, bias 0 (every gate starts near 1/2). */
  @Override
  public void initialize(float[] params, SplittableRandom random) {
    double limit = Math.sqrt(3.0 / d);
    int w = weight.offset();
    for (int i = 0, n = d * d; i < n; i++) {
      params[w + i] = (float) random.nextDouble(-limit, limit);
    }
    Arrays.fill(params, bias.offset(), bias.offset() + d, 0f);
  }

  @Override
  public Scratch newScratch() {
    return new Scratch();
  }

  @Override
  public void forward(float[] params, float[] x, int rows, float[] y, Layer.Scratch scratch) {
    LayerChecks.rows(rows);
    LayerChecks.holds(name + ": x", x, rows, d);
    LayerChecks.holds(name + ": y", y, rows, d);
    Scratch s = (Scratch) scratch;
    int n = rows * d;
    s.gate = LayerChecks.grow(s.gate, n);
    float[] g = s.gate;
    kernels.sgemm(false, false, rows, d, d, 1f, x, 0, d, params, weight.offset(), d, 0f, g, 0, d);
    int b = bias.offset();
    if (s.logit.length < d) {
      s.logit = new double[d];
      s.sigmoid = new double[d];
      s.sigmoidNeg = new double[d];
    }
    double[] z = s.logit;
    double[] sig = s.sigmoid;
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      for (int j = 0; j < d; j++) {
        z[j] = g[o + j] + params[b + j];
      }
      // the row's sigmoids at once on SIMD exp (a scalar Math.exp a gate was a tenth of pre-training)
      math.sigmoids(z, sig, s.sigmoidNeg, d);
      for (int j = 0; j < d; j++) {
        float gj = (float) sig[j];
        g[o + j] = gj;
        y[o + j] = gj * x[o + j];
      }
    }
  }

  @Override
  public void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad,
      Layer.Scratch scratch) {
    LayerChecks.rows(rows);
    LayerChecks.holds(name + ": x", x, rows, d);
    LayerChecks.holds(name + ": dy", dy, rows, d);
    Scratch s = (Scratch) scratch;
    int n = rows * d;
    s.dz = LayerChecks.grow(s.dz, n);
    float[] g = s.gate;
    float[] dz = s.dz;
    // With z = x·W + b and g = σ(z): dz = dy ⊙ x ⊙ g(1 − g); dW += xᵀ·dz; db += Σ dz;
    // dx = dy ⊙ g + dz·Wᵀ.
    int b = bias.offset();
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      for (int j = 0; j < d; j++) {
        float gj = g[o + j];
        float v = dy[o + j] * x[o + j] * gj * (1f - gj);
        dz[o + j] = v;
        grad[b + j] += v;
      }
    }
    kernels.sgemm(true, false, d, d, rows, 1f, x, 0, d, dz, 0, d, 1f, grad, weight.offset(), d);
    if (dx != null) {
      LayerChecks.holds(name + ": dx", dx, rows, d);
      kernels.sgemm(false, true, rows, d, d, 1f, dz, 0, d, params, weight.offset(), d, 0f, dx, 0, d);
      for (int i = 0; i < n; i++) {
        dx[i] += dy[i] * g[i];
      }
    }
  }
}
