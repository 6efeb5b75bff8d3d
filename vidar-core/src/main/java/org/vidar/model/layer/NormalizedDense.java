package org.vidar.model.layer;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.vidar.math.Kernels;

/**
 * A {@link BatchNorm} followed by a {@link Dense}, {@code act((γ·x̂ + β)·W + b)}, computed as one
 * layer. Its tensors and statistics are the two layers' own (same names, same order in the layout),
 * and its outputs and gradients theirs up to float rounding; it is faster because:
 * <ul>
 *   <li>forward, γ and β fold into the product: {@code x̂·(diag(γ)·W) + (b + β·W)}, so the
 *       normalized input {@code γ·x̂ + β} is never written;</li>
 *   <li>backward, one product {@code M = x̂ᵀ·dz} gives every parameter gradient:
 *       {@code dW = diag(γ)·M + β ⊗ s}, {@code db = s}, {@code dγ_i = Σ_k W_ik·M_ik},
 *       {@code dβ_i = Σ_k W_ik·s_k}, with {@code s = Σ_rows dz}. Apart, the two layers need the
 *       product {@code dz·Wᵀ} for γ and β even when nobody wants the input gradient (the first
 *       layer of a trunk): a third of the layer's floating-point work, skipped here unless
 *       {@code dx} is asked for.</li>
 * </ul>
 * Immutable and thread-safe; each thread keeps its buffers in its own {@link Scratch}.
 */
public final class NormalizedDense implements NormalizingLayer {
  private final BatchNorm norm;
  private final Dense dense;
  private final Kernels kernels;
  private final int in;
  private final int out;

  /** The two layers as one; {@code norm}'s width must be {@code dense}'s input width. */
  public NormalizedDense(BatchNorm norm, Dense dense) {
    this.norm = Objects.requireNonNull(norm, "norm");
    this.dense = Objects.requireNonNull(dense, "dense");
    if (norm.outputDim() != dense.inputDim()) {
      throw new IllegalArgumentException(norm.name() + " gives " + norm.outputDim() + " values a row, "
          + dense.name() + " takes " + dense.inputDim());
    }
    this.kernels = dense.kernels();
    this.in = dense.inputDim();
    this.out = dense.outputDim();
  }

  /** Per-thread buffers: the batch normalization's, the folded weights, the products. */
  public static final class Scratch implements Layer.Scratch {
    final BatchNorm.Scratch norm;
    /** diag(γ)·W, {@code in × out}. */
    float[] weight = new float[0];
    /** b + β·W. */
    float[] bias = new float[0];
    /** The activation's buffers. */
    final Dense.Scratch activation = new Dense.Scratch();
    /** x̂ᵀ·dz, {@code in × out}. */
    float[] product = new float[0];
    /** Per output column, in double: forward b + β·W, backward Σ_rows dz. */
    double[] columnSums = new double[0];
    /** Backward: Σ_rows dz in float. */
    float[] columnSumsF = new float[0];
    float[] dNormalized = new float[0];
    float[] xhat;

    Scratch(BatchNorm.Scratch norm) {
      this.norm = norm;
    }
  }

  public BatchNorm norm() {
    return norm;
  }

  public Dense dense() {
    return dense;
  }

  @Override
  public int inputDim() {
    return in;
  }

  @Override
  public int outputDim() {
    return out;
  }

  @Override
  public void initialize(float[] params, SplittableRandom random) {
    norm.initialize(params, random);
    dense.initialize(params, random);
  }

  /** Buffers for TRAINING mode. */
  @Override
  public Scratch newScratch() {
    return newScratch(BatchNorm.Mode.TRAINING);
  }

  @Override
  public Scratch newScratch(BatchNorm.Mode mode) {
    return new Scratch(norm.newScratch(mode));
  }

  @Override
  public void commitStatistics(float[] params, Layer.Scratch scratch) {
    norm.commitStatistics(params, ((Scratch) scratch).norm);
  }

  @Override
  public void forward(float[] params, float[] x, int rows, float[] y, Layer.Scratch scratch) {
    LayerChecks.holds(dense.name() + ": y", y, rows, out);
    Scratch s = (Scratch) scratch;
    s.xhat = norm.normalize(params, x, rows, s.norm);
    if (rows == 0) {
      return;
    }
    int g = norm.gamma().offset();
    int be = norm.beta().offset();
    int w = dense.weight().offset();
    int b = dense.bias().offset();
    s.weight = LayerChecks.grow(s.weight, in * out);
    s.bias = LayerChecks.grow(s.bias, out);
    if (s.columnSums.length < out) {
      s.columnSums = new double[out];
    }
    double[] shift = s.columnSums; // b + β·W in double, then float
    for (int k = 0; k < out; k++) {
      shift[k] = params[b + k];
    }
    for (int i = 0; i < in; i++) {
      float gi = params[g + i];
      float bi = params[be + i];
      int o = i * out;
      for (int k = 0; k < out; k++) {
        float wik = params[w + o + k];
        s.weight[o + k] = gi * wik;
        shift[k] += (double) bi * wik;
      }
    }
    for (int k = 0; k < out; k++) {
      s.bias[k] = (float) shift[k];
    }
    kernels.sgemm(false, false, rows, out, in, 1f, s.xhat, 0, in, s.weight, 0, out, 0f, y, 0, out);
    dense.addBiasAndActivate(y, rows, s.bias, 0, s.activation);
  }

  @Override
  public void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad,
      Layer.Scratch scratch) {
    LayerChecks.rows(rows);
    LayerChecks.holds(dense.name() + ": dy", dy, rows, out);
    if (rows == 0) {
      return;
    }
    Scratch s = (Scratch) scratch;
    float[] dz = dense.preActivationGradient(dy, rows, s.activation);
    s.product = LayerChecks.grow(s.product, in * out);
    float[] m = s.product;
    kernels.sgemm(true, false, in, out, rows, 1f, s.xhat, 0, in, dz, 0, out, 0f, m, 0, out);
    double[] colSum = s.columnSums;
    Arrays.fill(colSum, 0, out, 0);
    for (int r = 0; r < rows; r++) {
      int o = r * out;
      for (int k = 0; k < out; k++) {
        colSum[k] += dz[o + k];
      }
    }
    int g = norm.gamma().offset();
    int be = norm.beta().offset();
    int w = dense.weight().offset();
    int b = dense.bias().offset();
    s.columnSumsF = LayerChecks.grow(s.columnSumsF, out);
    float[] sums = s.columnSumsF;
    for (int k = 0; k < out; k++) {
      sums[k] = (float) colSum[k];
      grad[b + k] += sums[k];
    }
    for (int i = 0; i < in; i++) {
      float gi = params[g + i];
      float bi = params[be + i];
      int o = i * out;
      double dGamma = 0;
      double dBeta = 0;
      for (int k = 0; k < out; k++) {
        float mik = m[o + k];
        float sk = sums[k];
        grad[w + o + k] += gi * mik + bi * sk;
        float wik = params[w + o + k];
        dGamma += wik * mik;
        dBeta += wik * sk;
      }
      grad[g + i] += (float) dGamma;
      grad[be + i] += (float) dBeta;
    }
    if (dx != null) {
      LayerChecks.holds(norm.name() + ": dx", dx, rows, in);
      s.dNormalized = LayerChecks.grow(s.dNormalized, rows * in);
      kernels.sgemm(false, true, rows, in, out, 1f, dz, 0, out, params, w, out, 0f, s.dNormalized, 0, in);
      norm.inputGradient(params, rows, s.dNormalized, dx, s.norm);
    }
  }
}
