package org.vidar.model.layer;

/** Element-wise activation of a {@link Dense} layer, applied in place, with its derivative. */
public enum Activation {
  /** Identity. */
  NONE {
    @Override
    void apply(float[] z, int n) {
    }

    @Override
    void backward(float[] z, float[] dy, float[] dz, int n) {
      System.arraycopy(dy, 0, dz, 0, n);
    }
  },
  /** {@code max(0, z)}; the derivative at 0 is taken as 0. */
  RELU {
    @Override
    void apply(float[] z, int n) {
      for (int i = 0; i < n; i++) {
        if (!(z[i] > 0f)) {
          z[i] = 0f;
        }
      }
    }

    @Override
    void backward(float[] z, float[] dy, float[] dz, int n) {
      for (int i = 0; i < n; i++) {
        dz[i] = z[i] > 0f ? dy[i] : 0f;
      }
    }
  },
  /** {@code min(max(0, z), 6)}; the derivative at 0 and 6 is taken as 0. */
  RELU6 {
    @Override
    void apply(float[] z, int n) {
      for (int i = 0; i < n; i++) {
        float v = z[i];
        z[i] = v > 0f ? (v < 6f ? v : 6f) : 0f;
      }
    }

    @Override
    void backward(float[] z, float[] dy, float[] dz, int n) {
      for (int i = 0; i < n; i++) {
        float v = z[i];
        dz[i] = v > 0f && v < 6f ? dy[i] : 0f;
      }
    }
  };

  /** Replaces {@code z[0..n)} by {@code act(z)}. */
  abstract void apply(float[] z, int n);

  /** Writes {@code dz = dy ⊙ act'(z)} for {@code [0..n)}; {@code z} is the pre-activation. */
  abstract void backward(float[] z, float[] dy, float[] dz, int n);
}
