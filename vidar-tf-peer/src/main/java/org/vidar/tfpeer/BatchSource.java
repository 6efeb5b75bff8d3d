package org.vidar.tfpeer;

import org.tensorflow.types.TFloat32;

/** Turns the videos {@code order[from .. from + count)} into the tensors a step is fed. */
interface BatchSource {
  /** The graph's input for the videos; close the tensor after use. */
  TFloat32 inputs(int[] order, int from, int count);

  /** The videos' multi-hot labels, [count, classes]; close after use. */
  TFloat32 labels(int[] order, int from, int count);
}
