package org.vidar.optim;

import java.nio.FloatBuffer;

/**
 * The mutable state of {@link Adam}: first and second moment estimates and the step count. Exposed
 * read-only for checkpoints and rebuilt with {@link #restore}.
 */
public final class AdamState {
  final float[] m;
  final float[] v;
  long step;

  /** A fresh state (zero moments, step 0) for {@code size} parameters. */
  public AdamState(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be non-negative, got " + size);
    }
    this.m = new float[size];
    this.v = new float[size];
  }

  /** A state rebuilt from a checkpoint; the arrays are copied. */
  public static AdamState restore(float[] m, float[] v, long step) {
    if (m.length != v.length) {
      throw new IllegalArgumentException("first moment has " + m.length + " values, second moment " + v.length);
    }
    if (step < 0) {
      throw new IllegalArgumentException("step must be non-negative, got " + step);
    }
    AdamState s = new AdamState(m.length);
    System.arraycopy(m, 0, s.m, 0, m.length);
    System.arraycopy(v, 0, s.v, 0, v.length);
    s.step = step;
    return s;
  }

  /** Number of parameters. */
  public int size() {
    return m.length;
  }

  /** Number of updates taken so far. */
  public long step() {
    return step;
  }

  /** Read-only view of the first moment estimate (not a copy: it changes with each step). */
  public FloatBuffer firstMoment() {
    return FloatBuffer.wrap(m).asReadOnlyBuffer();
  }

  /** Read-only view of the second moment estimate (not a copy: it changes with each step). */
  public FloatBuffer secondMoment() {
    return FloatBuffer.wrap(v).asReadOnlyBuffer();
  }
}
