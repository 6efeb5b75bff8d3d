package org.vidar.model.layer;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * Fully connected layer {@code y = act(x·W + b)} with {@code W [in, out]} and {@code b [out]}
 * (tensors {@code name/weight} and {@code name/bias}).
 */
public final class Dense implements Layer {
  private final String name;
  private final int in;
  private final int out;
  private final Activation activation;
  private final TensorRef weight;
  private final TensorRef bias;
  private final Kernels kernels;

  /** A dense layer on the kernels of this JVM ({@link KernelProvider#get()}). */
  public Dense(ParameterLayout.Builder builder, String name, int in, int out, Activation activation) {
    this(builder, name, in, out, activation, KernelProvider.get());
  }

  /** A dense layer whose matrix products run on {@code kernels}. */
  public Dense(ParameterLayout.Builder builder, String name, int in, int out, Activation activation,
      Kernels kernels) {
    LayerChecks.dim(name + ": in", in);
    LayerChecks.dim(name + ": out", out);
    this.name = name;
    this.in = in;
    this.out = out;
    this.activation = Objects.requireNonNull(activation, "activation");
    this.kernels = Objects.requireNonNull(kernels, "kernels");
    this.weight = builder.add(name + "/weight", in, out);
    this.bias = builder.add(name + "/bias", out);
  }

  /** Per-thread buffers of a {@link Dense} layer. */
  public static final class Scratch implements Layer.Scratch {
    float[] z = new float[0];
    float[] dz = new float[0];
  }

  public String name() {
    return name;
  }

  @Override
  public int inputDim() {
    return in;
  }

  @Override
  public int outputDim() {
    return out;
  }

  public Activation activation() {
    return activation;
  }

  public TensorRef weight() {
    return weight;
  }

  public TensorRef bias() {
    return bias;
  }

  /** Where the matrix products run. */
  Kernels kernels() {
    return kernels;
  }

  /** He uniform ({@code ±sqrt(6/in)}) before a ReLU, Glorot uniform ({@code ±sqrt(6/(in+out))}) otherwise; bias 0. */
  @Override
  public void initialize(float[] params, SplittableRandom random) {
    double limit = activation == Activation.NONE ? Math.sqrt(6.0 / (in + out)) : Math.sqrt(6.0 / in);
    int w = weight.offset();
    for (int i = 0, n = in * out; i < n; i++) {
      params[w + i] = (float) random.nextDouble(-limit, limit);
    }
    Arrays.fill(params, bias.offset(), bias.offset() + out, 0f);
  }

  @Override
  public Scratch newScratch() {
    return new Scratch();
  }

  @Override
  public void forward(float[] params, float[] x, int rows, float[] y, Layer.Scratch scratch) {
    LayerChecks.rows(rows);
    LayerChecks.holds(name + ": x", x, rows, in);
    LayerChecks.holds(name + ": y", y, rows, out);
    Scratch s = (Scratch) scratch;
    kernels.sgemm(false, false, rows, out, in, 1f, x, 0, in, params, weight.offset(), out, 0f, y, 0, out);
    addBiasAndActivate(y, rows, params, bias.offset(), s);
  }

  /**
   * The end of a forward pass after the product: adds {@code biasValues[biasOffset ..)} to every
   * row of {@code y} and applies the activation, keeping its input in {@code s} for the backward pass.
   */
  void addBiasAndActivate(float[] y, int rows, float[] biasValues, int biasOffset, Scratch s) {
    for (int r = 0; r < rows; r++) {
      int o = r * out;
      for (int j = 0; j < out; j++) {
        y[o + j] += biasValues[biasOffset + j];
      }
    }
    int n = rows * out;
    if (activation != Activation.NONE) {
      s.z = LayerChecks.grow(s.z, n);
      System.arraycopy(y, 0, s.z, 0, n);
      activation.apply(y, n);
    }
  }

  /** The gradient before the activation, from {@code dy} after it: {@code dy} itself without one. */
  float[] preActivationGradient(float[] dy, int rows, Scratch s) {
    if (activation == Activation.NONE) {
      return dy;
    }
    int n = rows * out;
    s.dz = LayerChecks.grow(s.dz, n);
    activation.backward(s.z, dy, s.dz, n);
    return s.dz;
  }

  @Override
  public void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad,
      Layer.Scratch scratch) {
    LayerChecks.rows(rows);
    LayerChecks.holds(name + ": x", x, rows, in);
    LayerChecks.holds(name + ": dy", dy, rows, out);
    float[] dz = preActivationGradient(dy, rows, (Scratch) scratch);
    // dW += xᵀ·dz, db += Σ_rows dz, dx = dz·Wᵀ
    kernels.sgemm(true, false, in, out, rows, 1f, x, 0, in, dz, 0, out, 1f, grad, weight.offset(), out);
    int b = bias.offset();
    for (int r = 0; r < rows; r++) {
      int o = r * out;
      for (int j = 0; j < out; j++) {
        grad[b + j] += dz[o + j];
      }
    }
    if (dx != null) {
      LayerChecks.holds(name + ": dx", dx, rows, in);
      kernels.sgemm(false, true, rows, in, out, 1f, dz, 0, out, params, weight.offset(), out, 0f, dx, 0, in);
    }
  }
}
