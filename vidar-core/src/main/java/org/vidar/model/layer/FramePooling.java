package org.vidar.model.layer;

import java.util.Arrays;
import java.util.Objects;
import org.vidar.math.BulkMath;

/**
 * Pools the frames of each video into one row: the frames of many videos are stacked row-wise
 * {@code [totalFrames × d]} and video {@code v} owns rows {@code offsets[v] .. offsets[v+1]−1};
 * the output is {@code [videos × d]}. No parameters; immutable and thread-safe.
 */
public final class FramePooling {

  /** How the frames of one video are combined, per feature. */
  public enum Mode {
    /**
     * Self-weighted average pooling, {@code y_j = Σ_t x_tj·|x_tj| / Σ_t |x_tj|}: an average of the
     * frames weighted by their own magnitude. When {@code Σ_t |x_tj| = 0} (every frame is 0 in that
     * feature, or the video has no frame) the output is 0 and so is the gradient.
     */
    SWAP,
    /** Arithmetic mean over the frames; 0 for a video without frames. */
    MEAN,
    /**
     * Maximum over the frames; the gradient goes to the first frame holding the maximum. 0 for a
     * video without frames.
     */
    MAX
  }

  private final int d;
  private final Mode mode;
  private final BulkMath math;

  /** Pools rows of width {@code d} by {@code mode}. */
  public FramePooling(int d, Mode mode) {
    this(d, mode, BulkMath.get());
  }

  /** Pools rows of width {@code d} by {@code mode}, its SWAP gradient on {@code math}. */
  public FramePooling(int d, Mode mode, BulkMath math) {
    LayerChecks.dim("frame pooling: d", d);
    this.d = d;
    this.mode = Objects.requireNonNull(mode, "mode");
    this.math = Objects.requireNonNull(math, "math");
  }

  /** Per-thread buffers of a {@link FramePooling}, grown to the batch's videos, never shrunk. */
  public static final class Scratch {
    /** SWAP: {@code 1/Σ|x|} per video and feature (0 under the guard). */
    double[] invSum = new double[0];
    /** SWAP: the pooled output. */
    float[] pooled = new float[0];
    /** MAX: the frame (row of x) that won, per video and feature. */
    int[] argmax = new int[0];
    /** SWAP accumulators, per feature. */
    double[] num = new double[0];
    double[] den = new double[0];
    /** SWAP backward: one video's coefficients of |x| and of sign(x), per feature. */
    float[] absCoef = new float[0];
    float[] signCoef = new float[0];
  }

  public int dim() {
    return d;
  }

  public Mode mode() {
    return mode;
  }

  /** New empty buffers for one thread. */
  public Scratch newScratch() {
    return new Scratch();
  }

  /**
   * Writes {@code y[videos × d]} from the frames {@code x} of the videos described by
   * {@code offsets} ({@code videos + 1} non-decreasing entries) and keeps what {@link #backward}
   * needs in {@code s}.
   */
  public void forward(float[] x, int[] offsets, int videos, float[] y, Scratch s) {
    check(x, offsets, videos);
    LayerChecks.holds("frame pooling: y", y, videos, d);
    switch (mode) {
      case SWAP -> forwardSwap(x, offsets, videos, y, s);
      case MEAN -> forwardMean(x, offsets, videos, y);
      case MAX -> forwardMax(x, offsets, videos, y, s);
      default -> throw new AssertionError(mode);
    }
  }

  /**
   * Writes into {@code dx} the gradient for every frame row {@code offsets[0] .. offsets[videos]−1}
   * (other rows are left alone) from {@code dy[videos × d]}. Must follow the matching
   * {@link #forward} on the same scratch; a null {@code dx} does nothing.
   */
  public void backward(float[] x, int[] offsets, int videos, float[] dy, float[] dx, Scratch s) {
    if (dx == null) {
      return;
    }
    check(x, offsets, videos);
    LayerChecks.holds("frame pooling: dy", dy, videos, d);
    LayerChecks.holds("frame pooling: dx", dx, offsets[videos], d);
    switch (mode) {
      case SWAP -> backwardSwap(x, offsets, videos, dy, dx, s);
      case MEAN -> backwardMean(offsets, videos, dy, dx);
      case MAX -> backwardMax(offsets, videos, dy, dx, s);
      default -> throw new AssertionError(mode);
    }
  }

  private void check(float[] x, int[] offsets, int videos) {
    LayerChecks.rows(videos);
    Objects.requireNonNull(offsets, "offsets");
    if (offsets.length < videos + 1) {
      throw new IllegalArgumentException("frame pooling: offsets has " + offsets.length
          + " entries, needs videos + 1 = " + (videos + 1));
    }
    if (offsets[0] < 0) {
      throw new IllegalArgumentException("frame pooling: offsets[0] = " + offsets[0] + " < 0");
    }
    for (int v = 0; v < videos; v++) {
      if (offsets[v + 1] < offsets[v]) {
        throw new IllegalArgumentException("frame pooling: offsets decrease at video " + v + ": "
            + offsets[v] + " > " + offsets[v + 1]);
      }
    }
    LayerChecks.holds("frame pooling: x", x, offsets[videos], d);
  }

  private void forwardSwap(float[] x, int[] offsets, int videos, float[] y, Scratch s) {
    int n = videos * d;
    if (s.invSum.length < n) {
      s.invSum = new double[n];
    }
    s.pooled = LayerChecks.grow(s.pooled, n);
    if (s.num.length < d) {
      s.num = new double[d];
      s.den = new double[d];
    }
    double[] num = s.num;
    double[] den = s.den;
    for (int v = 0; v < videos; v++) {
      Arrays.fill(num, 0, d, 0);
      Arrays.fill(den, 0, d, 0);
      for (int t = offsets[v]; t < offsets[v + 1]; t++) {
        int o = t * d;
        for (int j = 0; j < d; j++) {
          float a = x[o + j];
          float abs = Math.abs(a);
          num[j] += a * abs;
          den[j] += abs;
        }
      }
      int o = v * d;
      for (int j = 0; j < d; j++) {
        double inv = den[j] > 0 ? 1.0 / den[j] : 0.0;
        float p = (float) (num[j] * inv);
        s.invSum[o + j] = inv;
        s.pooled[o + j] = p;
        y[o + j] = p;
      }
    }
  }

  private void backwardSwap(float[] x, int[] offsets, int videos, float[] dy, float[] dx, Scratch s) {
    // ∂y_j/∂x_tj = (2|x_tj| − y_j·sign(x_tj)) / Σ_t |x_tj|: per video and feature two float
    // coefficients (from double), then one vectorized pass over the video's frames.
    if (s.absCoef.length < d) {
      s.absCoef = new float[d];
      s.signCoef = new float[d];
    }
    float[] absCoef = s.absCoef;
    float[] signCoef = s.signCoef;
    for (int v = 0; v < videos; v++) {
      int p = v * d;
      for (int j = 0; j < d; j++) {
        double q = dy[p + j] * s.invSum[p + j];
        absCoef[j] = (float) (2 * q);
        signCoef[j] = (float) (q * s.pooled[p + j]);
      }
      for (int t = offsets[v]; t < offsets[v + 1]; t++) {
        math.scaledAbsMinusSign(x, t * d, absCoef, signCoef, dx, t * d, d);
      }
    }
  }

  private void forwardMean(float[] x, int[] offsets, int videos, float[] y) {
    for (int v = 0; v < videos; v++) {
      int p = v * d;
      Arrays.fill(y, p, p + d, 0f);
      int frames = offsets[v + 1] - offsets[v];
      for (int t = offsets[v]; t < offsets[v + 1]; t++) {
        int o = t * d;
        for (int j = 0; j < d; j++) {
          y[p + j] += x[o + j];
        }
      }
      if (frames > 0) {
        float inv = 1f / frames;
        for (int j = 0; j < d; j++) {
          y[p + j] *= inv;
        }
      }
    }
  }

  private void backwardMean(int[] offsets, int videos, float[] dy, float[] dx) {
    for (int v = 0; v < videos; v++) {
      int p = v * d;
      int frames = offsets[v + 1] - offsets[v];
      float inv = frames > 0 ? 1f / frames : 0f;
      for (int t = offsets[v]; t < offsets[v + 1]; t++) {
        int o = t * d;
        for (int j = 0; j < d; j++) {
          dx[o + j] = dy[p + j] * inv;
        }
      }
    }
  }

  private void forwardMax(float[] x, int[] offsets, int videos, float[] y, Scratch s) {
    int n = videos * d;
    if (s.argmax.length < n) {
      s.argmax = new int[n];
    }
    int[] arg = s.argmax;
    for (int v = 0; v < videos; v++) {
      int p = v * d;
      int first = offsets[v];
      if (first == offsets[v + 1]) {
        Arrays.fill(y, p, p + d, 0f);
        Arrays.fill(arg, p, p + d, -1);
        continue;
      }
      System.arraycopy(x, first * d, y, p, d);
      Arrays.fill(arg, p, p + d, first);
      for (int t = first + 1; t < offsets[v + 1]; t++) {
        int o = t * d;
        for (int j = 0; j < d; j++) {
          if (x[o + j] > y[p + j]) {
            y[p + j] = x[o + j];
            arg[p + j] = t;
          }
        }
      }
    }
  }

  private void backwardMax(int[] offsets, int videos, float[] dy, float[] dx, Scratch s) {
    int[] arg = s.argmax;
    Arrays.fill(dx, offsets[0] * d, offsets[videos] * d, 0f);
    for (int v = 0; v < videos; v++) {
      int p = v * d;
      if (offsets[v] == offsets[v + 1]) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        dx[arg[p + j] * d + j] += dy[p + j];
      }
    }
  }
}
