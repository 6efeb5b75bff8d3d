package org.vidar.optim;

import java.util.Random;

/** Objective functions with known minimizers, computed in double and handed over as float. */
final class TestProblems {
  private TestProblems() {}

  /** 0.5 x'Ax - b'x with A symmetric positive definite; minimizer A^-1 b. */
  static final class Quadratic implements DifferentiableFunction {
    final double[][] a;
    final double[] b;
    final double[] solution;

    /** A random SPD matrix with eigenvalues in [1, conditionNumber] and a random solution. */
    Quadratic(int n, double conditionNumber, long seed) {
      Random r = new Random(seed);
      double[][] q = randomOrthogonal(n, r);
      double[] eig = new double[n];
      for (int i = 0; i < n; i++) {
        eig[i] = n == 1 ? 1 : Math.pow(conditionNumber, (double) i / (n - 1));
      }
      a = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double sum = 0;
          for (int k = 0; k < n; k++) {
            sum += q[i][k] * eig[k] * q[j][k];
          }
          a[i][j] = sum;
        }
      }
      solution = new double[n];
      for (int i = 0; i < n; i++) {
        solution[i] = r.nextGaussian();
      }
      b = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          b[i] += a[i][j] * solution[j];
        }
      }
    }

    @Override
    public double valueAndGradient(float[] x, float[] gradient) {
      int n = b.length;
      double value = 0;
      for (int i = 0; i < n; i++) {
        double ax = 0;
        for (int j = 0; j < n; j++) {
          ax += a[i][j] * x[j];
        }
        value += 0.5 * x[i] * ax - b[i] * x[i];
        gradient[i] = (float) (ax - b[i]);
      }
      return value;
    }

    private static double[][] randomOrthogonal(int n, Random r) {
      double[][] q = new double[n][n];
      for (int k = 0; k < n; k++) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = r.nextGaussian();
        }
        for (int j = 0; j < k; j++) {
          double dot = 0;
          for (int i = 0; i < n; i++) {
            dot += v[i] * q[i][j];
          }
          for (int i = 0; i < n; i++) {
            v[i] -= dot * q[i][j];
          }
        }
        double norm = 0;
        for (double e : v) {
          norm += e * e;
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < n; i++) {
          q[i][k] = v[i] / norm;
        }
      }
      return q;
    }
  }

  /** Sum over i of 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2; minimizer (1, ..., 1), minimum 0. */
  static final DifferentiableFunction ROSENBROCK = (x, g) -> {
    int n = x.length;
    double value = 0;
    double[] grad = new double[n];
    for (int i = 0; i + 1 < n; i++) {
      double xi = x[i];
      double t = x[i + 1] - xi * xi;
      double u = 1 - xi;
      value += 100 * t * t + u * u;
      grad[i] += -400 * t * xi - 2 * u;
      grad[i + 1] += 200 * t;
    }
    for (int i = 0; i < n; i++) {
      g[i] = (float) grad[i];
    }
    return value;
  };

  /** The classic start (-1.2, 1, -1.2, 1, ...). */
  static float[] rosenbrockStart(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i % 2 == 0 ? -1.2f : 1f;
    }
    return x;
  }

  /**
   * Mean logistic loss plus (lambda / 2) |w|^2 over rows of features with a constant 1 appended for the
   * bias (regularized too, to keep the problem strictly convex). Labels are 0/1.
   */
  static final class Logistic implements DifferentiableFunction {
    final double[][] rows;
    final int[] labels;
    final double lambda;

    /** Two Gaussian clouds, overlapping a little, with a few flipped labels. */
    Logistic(int samples, int features, double lambda, long seed) {
      Random r = new Random(seed);
      rows = new double[samples][features + 1];
      labels = new int[samples];
      double[] direction = new double[features];
      for (int j = 0; j < features; j++) {
        direction[j] = r.nextGaussian();
      }
      for (int i = 0; i < samples; i++) {
        int label = r.nextBoolean() ? 1 : 0;
        for (int j = 0; j < features; j++) {
          rows[i][j] = r.nextGaussian() + (label == 1 ? 1 : -1) * direction[j] * 0.8 + 0.3;
        }
        rows[i][features] = 1;
        labels[i] = r.nextDouble() < 0.05 ? 1 - label : label;
      }
      this.lambda = lambda;
    }

    int dimension() {
      return rows[0].length;
    }

    @Override
    public double valueAndGradient(float[] w, float[] gradient) {
      double[] x = new double[w.length];
      for (int j = 0; j < w.length; j++) {
        x[j] = w[j];
      }
      double[] g = new double[w.length];
      double value = valueAndGradient(x, g);
      for (int j = 0; j < w.length; j++) {
        gradient[j] = (float) g[j];
      }
      return value;
    }

    double valueAndGradient(double[] w, double[] g) {
      int n = rows.length;
      int d = w.length;
      double value = 0;
      java.util.Arrays.fill(g, 0);
      for (int i = 0; i < n; i++) {
        double z = 0;
        for (int j = 0; j < d; j++) {
          z += rows[i][j] * w[j];
        }
        // log(1 + e^z) - y z, computed stably.
        value += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - labels[i] * z;
        double p = 1 / (1 + Math.exp(-z));
        for (int j = 0; j < d; j++) {
          g[j] += (p - labels[i]) * rows[i][j] / n;
        }
      }
      value /= n;
      for (int j = 0; j < d; j++) {
        value += 0.5 * lambda * w[j] * w[j];
        g[j] += lambda * w[j];
      }
      return value;
    }

    /** Newton's method in double precision, to machine accuracy. */
    double[] newtonSolution() {
      int d = dimension();
      int n = rows.length;
      double[] w = new double[d];
      double[] g = new double[d];
      for (int iteration = 0; iteration < 50; iteration++) {
        valueAndGradient(w, g);
        double[][] h = new double[d][d + 1];
        for (int i = 0; i < n; i++) {
          double z = 0;
          for (int j = 0; j < d; j++) {
            z += rows[i][j] * w[j];
          }
          double p = 1 / (1 + Math.exp(-z));
          double s = p * (1 - p) / n;
          for (int j = 0; j < d; j++) {
            for (int k = 0; k < d; k++) {
              h[j][k] += s * rows[i][j] * rows[i][k];
            }
          }
        }
        for (int j = 0; j < d; j++) {
          h[j][j] += lambda;
          h[j][d] = -g[j];
        }
        double[] step = solve(h);
        double size = 0;
        for (int j = 0; j < d; j++) {
          w[j] += step[j];
          size = Math.max(size, Math.abs(step[j]));
        }
        if (size < 1e-15) {
          break;
        }
      }
      return w;
    }

    /** Gaussian elimination with partial pivoting on an augmented d x (d+1) matrix. */
    private static double[] solve(double[][] m) {
      int d = m.length;
      for (int c = 0; c < d; c++) {
        int pivot = c;
        for (int r = c + 1; r < d; r++) {
          if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
            pivot = r;
          }
        }
        double[] t = m[c];
        m[c] = m[pivot];
        m[pivot] = t;
        for (int r = c + 1; r < d; r++) {
          double f = m[r][c] / m[c][c];
          for (int k = c; k <= d; k++) {
            m[r][k] -= f * m[c][k];
          }
        }
      }
      double[] x = new double[d];
      for (int r = d - 1; r >= 0; r--) {
        double sum = m[r][d];
        for (int k = r + 1; k < d; k++) {
          sum -= m[r][k] * x[k];
        }
        x[r] = sum / m[r][r];
      }
      return x;
    }
  }

  static double maxAbsError(float[] x, double[] expected) {
    double e = 0;
    for (int i = 0; i < x.length; i++) {
      e = Math.max(e, Math.abs(x[i] - expected[i]));
    }
    return e;
  }

  static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1.0);
    return v;
  }
}
