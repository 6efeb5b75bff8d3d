package org.vidar.model.layer;

import java.util.SplittableRandom;

/**
 * A differentiable map from {@code [rows × inputDim]} to {@code [rows × outputDim]} whose
 * parameters live in a shared flat float array; the layer object itself is immutable and
 * thread-safe, and each thread keeps its buffers in its own {@link Scratch}.
 */
public interface Layer {

  /** Per-thread buffers of one layer: grown on demand to a batch's rows, never shrunk. */
  interface Scratch {
  }

  /** Width of an input row. */
  int inputDim();

  /** Width of an output row. */
  int outputDim();

  /** Writes this layer's initial values into its own tensors of {@code params}. */
  void initialize(float[] params, SplittableRandom random);

  /** New empty buffers for one thread. */
  Scratch newScratch();

  /**
   * Writes {@code y[rows × outputDim]} from {@code x[rows × inputDim]} (both row-major at offset
   * 0) and keeps in {@code s} what {@link #backward} needs.
   */
  void forward(float[] params, float[] x, int rows, float[] y, Scratch s);

  /**
   * Adds ({@code +=}) the parameter gradients of {@code Σ dy·y} into {@code grad} (laid out like
   * {@code params}) and writes the input gradient into {@code dx} unless it is null. Must follow
   * the matching {@link #forward} on the same scratch with the same {@code params}, {@code x} and
   * {@code rows}; {@code dy} is not modified.
   */
  void backward(float[] params, float[] x, int rows, float[] dy, float[] dx, float[] grad, Scratch s);
}
