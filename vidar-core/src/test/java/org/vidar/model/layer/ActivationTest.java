package org.vidar.model.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The branch-free ReLU against its definition, signed zeros and extremes included. */
class ActivationTest {
  @Test
  void reluAndItsDerivative() {
    float[] z = {-2f, -0f, 0f, Float.MIN_VALUE, 3.5f, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] dy = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f};
    float[] dz = new float[z.length];
    Activation.RELU.backward(z, dy, dz, z.length);
    assertArrayEquals(new float[] {0f, 0f, 0f, 4f, 5f, 0f, 7f, 0f, 9f, 0f}, dz);
    float[] y = z.clone();
    Activation.RELU.apply(y, y.length);
    assertArrayEquals(new float[] {0f, 0f, 0f, Float.MIN_VALUE, 3.5f, 0f, Float.MAX_VALUE, 0f,
        Float.POSITIVE_INFINITY, 0f}, y);
  }
}
