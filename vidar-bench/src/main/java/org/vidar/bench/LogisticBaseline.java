package org.vidar.bench;

import java.util.Arrays;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.EvalReport;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.optim.DifferentiableFunction;
import org.vidar.optim.Lbfgs;
import org.vidar.optim.LbfgsConfig;

/**
 * The baseline every table starts from: one L2-regularized logistic regression per class over the
 * video-level features (binary relevance), all classes trained together by full-batch L-BFGS
 * (the objective is a sum of independent per-class terms). p_k = σ(x·w_k + b_k).
 */
final class LogisticBaseline {
  private final int dim;
  private final int classes;
  private final float[] params; // W [dim, classes] then b [classes]
  private final Kernels kernels = KernelProvider.get();

  private LogisticBaseline(int dim, int classes, float[] params) {
    this.dim = dim;
    this.classes = classes;
    this.params = params;
  }

  /** Trains on a video-level dataset. */
  static LogisticBaseline train(VideoDataset data, int classes, double l2, int iterations, int chunk) {
    int d = data.dimension();
    Kernels k = KernelProvider.get();
    float[] logits = new float[chunk * classes];
    DifferentiableFunction f = (x, grad) -> {
      Arrays.fill(grad, 0f);
      double loss = 0;
      int n = data.size();
      for (int s = 0; s < n; s += chunk) {
        int rows = Math.min(chunk, n - s);
        for (int r = 0; r < rows; r++) {
          System.arraycopy(x, d * classes, logits, r * classes, classes);
        }
        k.sgemm(false, false, rows, classes, d, 1f, data.features(), s * d, d, x, 0, classes, 1f, logits, 0, classes);
        int[] lo = data.labelOffsets();
        int[] labels = data.labels();
        for (int r = 0; r < rows; r++) {
          int base = r * classes;
          // BCE: a negative costs softplus(z) = -log(1 - σ(z)); a positive softplus(-z) = softplus(z) - z.
          for (int j = lo[s + r]; j < lo[s + r + 1]; j++) {
            loss -= logits[base + labels[j]];
          }
          for (int c = 0; c < classes; c++) {
            double z = logits[base + c];
            loss += softplus(z);
            logits[base + c] = (float) sigmoid(z);
          }
          for (int j = lo[s + r]; j < lo[s + r + 1]; j++) {
            logits[base + labels[j]] -= 1f; // dL/dz = σ(z) - y
          }
        }
        k.sgemm(true, false, d, classes, rows, 1f, data.features(), s * d, d, logits, 0, classes, 1f, grad, 0, classes);
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < classes; c++) {
            grad[d * classes + c] += logits[r * classes + c];
          }
        }
      }
      double scale = 1.0 / Math.max(1, n);
      double penalty = 0;
      for (int i = 0; i < grad.length; i++) {
        grad[i] *= scale;
        if (i < d * classes) {
          grad[i] += (float) (l2 * x[i]);
          penalty += x[i] * (double) x[i];
        }
      }
      return loss * scale + 0.5 * l2 * penalty;
    };
    float[] params = new float[d * classes + classes];
    new Lbfgs(LbfgsConfig.of(iterations, 1e-5, 1e-7)).minimize(f, params);
    return new LogisticBaseline(d, classes, params);
  }

  private static double softplus(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** The YouTube-8M metrics on a dataset. */
  EvalReport evaluate(VideoDataset data, int topK, int chunk) {
    YouTube8mEvaluator evaluator = new YouTube8mEvaluator(classes, topK);
    float[] probs = new float[chunk * classes];
    for (int s = 0; s < data.size(); s += chunk) {
      int rows = Math.min(chunk, data.size() - s);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(params, dim * classes, probs, r * classes, classes);
      }
      kernels.sgemm(false, false, rows, classes, dim, 1f, data.features(), s * dim, dim, params, 0, classes, 1f,
          probs, 0, classes);
      for (int i = 0; i < rows * classes; i++) {
        probs[i] = (float) sigmoid(probs[i]);
      }
      for (int r = 0; r < rows; r++) {
        evaluator.addScores(probs, r * classes, data.labelsOf(s + r));
      }
    }
    return evaluator.report();
  }
}
