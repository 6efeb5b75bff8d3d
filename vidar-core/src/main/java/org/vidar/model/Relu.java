package org.vidar.model;

import java.util.SplittableRandom;
import org.vidar.model.layer.Activation;
import org.vidar.model.layer.Layer;

/** y = max(x, 0) as a layer without parameters (after batch normalization, where Dense's own activation cannot go). */
final class Relu implements Layer {
  private static final Scratch NONE = new Scratch() {};
  private final int dim;

  Relu(int dim) {
    this.dim = dim;
  }

  @Override
  public int inputDim() {
    return dim;
  }

  @Override
  public int outputDim() {
    return dim;
  }

  @Override
  public void initialize(float[] params, SplittableRandom random) {}

  @Override
  public Scratch newScratch() {
    return NONE;
  }

  @Override
  public void forward(float[] params, float[] x, int rows, float[] y, Scratch s) {
    int n = rows * dim;
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x[i], 0f);
    }
  }

  @Override
  public void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad, Scratch s) {
    if (dx == null) {
      return;
    }
    // Dense's own branch-free ReLU derivative, bit for bit the branch's: with the branch the loop ran 12
    // times slower (8.5 against 0.7 ms on 2^21 random floats), a sixth of frame-level pre-training's Java time.
    Activation.RELU.backward(x, dy, dx, rows * dim);
  }
}
