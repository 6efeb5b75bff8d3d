package org.vidar.model;

import java.util.List;
import java.util.SplittableRandom;
import org.vidar.model.layer.BatchNorm;
import org.vidar.model.layer.Layer;
import org.vidar.model.layer.NormalizingLayer;

/**
 * Layers applied one after another to the same rows, with the intermediate activations kept in a
 * per-thread {@link Scratch} for the backward pass. Immutable and thread-safe.
 */
final class LayerStack {
  private final List<Layer> layers;

  LayerStack(List<Layer> layers) {
    this.layers = List.copyOf(layers);
  }

  boolean isEmpty() {
    return layers.isEmpty();
  }

  int outputDim(int inputDim) {
    return layers.isEmpty() ? inputDim : layers.get(layers.size() - 1).outputDim();
  }

  void initialize(float[] params, SplittableRandom random) {
    for (Layer l : layers) {
      l.initialize(params, random);
    }
  }

  /** Buffers of one thread; batch normalization runs in {@code mode}. */
  Scratch newScratch(BatchNorm.Mode mode) {
    Scratch s = new Scratch(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      s.layers[i] = l instanceof NormalizingLayer bn ? bn.newScratch(mode) : l.newScratch();
      s.outputs[i] = new float[0];
    }
    return s;
  }

  /** Moves every batch normalization's running statistics by its last TRAINING pass in {@code s}. */
  void commitStatistics(float[] params, Scratch s) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) instanceof NormalizingLayer bn) {
        bn.commitStatistics(params, s.layers[i]);
      }
    }
  }

  /** Runs every layer; returns the buffer holding the last output (rows × outputDim), or x when empty. */
  float[] forward(float[] params, float[] x, int rows, Scratch s) {
    float[] in = x;
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      s.outputs[i] = ensure(s.outputs[i], (long) rows * l.outputDim());
      l.forward(params, in, rows, s.outputs[i], s.layers[i]);
      in = s.outputs[i];
    }
    s.input = x;
    return in;
  }

  /** Back through every layer from the output gradient; adds parameter gradients; writes dx if non-null. */
  void backward(float[] params, int rows, float[] dOut, float[] dx, float[] grad, Scratch s) {
    float[] d = dOut;
    for (int i = layers.size() - 1; i >= 0; i--) {
      Layer l = layers.get(i);
      float[] in = i == 0 ? s.input : s.outputs[i - 1];
      float[] dIn;
      if (i == 0) {
        dIn = dx;
      } else {
        s.gradients[i] = ensure(s.gradients[i], (long) rows * l.inputDim());
        dIn = s.gradients[i];
      }
      l.backward(params, in, rows, d, dIn, grad, s.layers[i]);
      d = dIn;
    }
  }

  static float[] ensure(float[] a, long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a batch needs " + n + " values in one buffer: use smaller batches");
    }
    return a.length >= n ? a : new float[(int) n];
  }

  /** Per-thread buffers. */
  static final class Scratch {
    final Layer.Scratch[] layers;
    final float[][] outputs;
    final float[][] gradients;
    float[] input;

    Scratch(int n) {
      layers = new Layer.Scratch[n];
      outputs = new float[n][];
      gradients = new float[n][0];
    }
  }
}
