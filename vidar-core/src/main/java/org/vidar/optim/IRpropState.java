package org.vidar.optim;

import java.nio.FloatBuffer;

/**
 * The mutable state of {@link IRpropPlus}: per-weight step sizes, the previous gradient (0 after a
 * sign flip), the last update of each weight, the previous loss and the number of steps taken.
 * Exposed read-only for checkpoints and rebuilt with {@link #restore}.
 */
public final class IRpropState {
  final float[] delta;
  final float[] previousGradient;
  final float[] lastUpdate;
  double previousLoss = Double.POSITIVE_INFINITY;
  long step;

  /** A fresh state: every step size delta0, no previous gradient, previous loss +infinity. */
  public IRpropState(int size, double delta0) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be non-negative, got " + size);
    }
    this.delta = new float[size];
    this.previousGradient = new float[size];
    this.lastUpdate = new float[size];
    java.util.Arrays.fill(delta, (float) delta0);
  }

  /** A state rebuilt from a checkpoint; the arrays are copied. */
  public static IRpropState restore(float[] delta, float[] previousGradient, float[] lastUpdate,
      double previousLoss, long step) {
    int n = delta.length;
    if (previousGradient.length != n || lastUpdate.length != n) {
      throw new IllegalArgumentException("state arrays differ in length: delta " + n + ", previousGradient "
          + previousGradient.length + ", lastUpdate " + lastUpdate.length);
    }
    if (step < 0) {
      throw new IllegalArgumentException("step must be non-negative, got " + step);
    }
    if (Double.isNaN(previousLoss)) {
      throw new IllegalArgumentException("previousLoss is NaN");
    }
    IRpropState s = new IRpropState(n, 0);
    System.arraycopy(delta, 0, s.delta, 0, n);
    System.arraycopy(previousGradient, 0, s.previousGradient, 0, n);
    System.arraycopy(lastUpdate, 0, s.lastUpdate, 0, n);
    s.previousLoss = previousLoss;
    s.step = step;
    return s;
  }

  public int size() {
    return delta.length;
  }

  /** Number of steps taken. */
  public long step() {
    return step;
  }

  /** Loss passed to the last step (+infinity before the first). */
  public double previousLoss() {
    return previousLoss;
  }

  /** Read-only view of the per-weight step sizes. */
  public FloatBuffer delta() {
    return FloatBuffer.wrap(delta).asReadOnlyBuffer();
  }

  /** Read-only view of the gradient remembered from the last step (0 where the sign flipped). */
  public FloatBuffer previousGradient() {
    return FloatBuffer.wrap(previousGradient).asReadOnlyBuffer();
  }

  /** Read-only view of the last update applied to each weight. */
  public FloatBuffer lastUpdate() {
    return FloatBuffer.wrap(lastUpdate).asReadOnlyBuffer();
  }
}
