package org.vidar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.batch.VideoBatch;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.layer.BatchNorm;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;
import org.vidar.train.LocalEngine;
import org.vidar.train.LossGradient;
import org.vidar.train.TrunkGradient;

/**
 * Whole-model gradient checks: the float trunk + MoE heads (forward, BCE, backward through
 * {@link MoeHeads#lossAndBackward} and {@link Trunk#backward}) against an independent
 * double-precision reference written with straight loops, differentiated by central finite
 * differences. Tolerances as in the layer tests' GradCheck: forward 1e-4 relative; gradients
 * {@code |a − n| ≤ 1e-3·max(|n|, 1e-2·max|n|) + 1e-6} per tensor.
 */
class VideoModelGradientTest {
  static final double EPS = 1e-6;
  static final double REL_TOL = 1e-3;
  static final double FLOOR = 1e-2;
  static final double ABS_TOL = 1e-6;
  static final int IN = 7;
  static final int K = 3;
  static final int[][] LABELS = {{0}, {1, 2}, {}, {2, 0}};
  static final int[] FRAMES = {1, 3, 2, 4};

  static FeatureSpec spec(FeatureSpec.Level level) {
    return new FeatureSpec(level, List.of("id"), "labels", List.of(new FeatureField("rgb", IN)), K, 300);
  }

  static VideoDataset dataset(FeatureSpec.Level level, SplittableRandom r) {
    int videos = LABELS.length;
    String[] ids = new String[videos];
    for (int i = 0; i < videos; i++) {
      ids[i] = "v" + i;
    }
    int[] frameOffsets = null;
    int rows = videos;
    if (level == FeatureSpec.Level.FRAME) {
      frameOffsets = new int[videos + 1];
      for (int i = 0; i < videos; i++) {
        frameOffsets[i + 1] = frameOffsets[i] + FRAMES[i];
      }
      rows = frameOffsets[videos];
    }
    float[] f = new float[rows * IN];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextDouble(-1, 1);
    }
    return VideoDataset.of(level, IN, ids, LABELS, f, frameOffsets);
  }

  /** A model with every parameter moved off its initialization (non-zero biases, BN statistics). */
  static VideoModel model(TrunkConfig trunk, FeatureSpec.Level level, SplittableRandom r) {
    ModelConfig mc = new ModelConfig(spec(level), trunk);
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.of(1, 2, 3), r);
    float[] tp = m.trunkParams().clone();
    for (TensorRef t : m.trunk().layout().tensors()) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        String n = t.name();
        if (n.endsWith("/running_var")) {
          tp[i] = (float) r.nextDouble(0.3, 2);
        } else if (n.endsWith("/running_mean") || n.endsWith("/beta")) {
          tp[i] = (float) r.nextDouble(-0.3, 0.3);
        } else if (n.endsWith("/gamma")) {
          tp[i] = (float) r.nextDouble(0.5, 1.5);
        } else if (n.endsWith("/bias")) {
          // positive-leaning so that most ReLUs are active and the check covers their paths
          tp[i] = (float) r.nextDouble(-0.1, 0.5);
        } else {
          tp[i] += (float) r.nextDouble(-0.1, 0.1);
        }
      }
    }
    float[] hp = m.headParams().clone();
    for (int i = 0; i < hp.length; i++) {
      hp[i] += (float) r.nextDouble(-0.5, 0.5);
    }
    return new VideoModel(mc, tp, m.allocation(), hp);
  }

  // ---------------------------------------------------------------- double reference

  /** The whole forward and summed BCE in double with plain loops. */
  static final class Reference {
    final TrunkConfig config;
    final ParameterLayout tl;
    final ParameterLayout hl;
    final ExpertAllocation a;
    final VideoDataset data;

    Reference(VideoModel m, VideoDataset data) {
      this.config = m.config().trunk();
      this.tl = m.trunk().layout();
      this.hl = m.headLayout();
      this.a = m.allocation();
      this.data = data;
    }

    double loss(double[] tp, double[] hp) {
      int videos = data.size();
      double[] x = new double[data.features().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = data.features()[i];
      }
      double[] emb;
      int h;
      if (config instanceof TrunkConfig.VideoMlp mlp) {
        double[] v = x;
        int d = IN;
        for (int i = 0; i < mlp.hidden().size(); i++) {
          int out = mlp.hidden().get(i);
          v = dense(tp, "trunk/fc" + i, v, videos, d, out, true);
          d = out;
        }
        if (mlp.contextGating()) {
          v = gating(tp, "trunk/gating", v, videos, d);
        }
        emb = v;
        h = d;
      } else {
        TrunkConfig.Dbof c = (TrunkConfig.Dbof) config;
        int frames = data.frameOffsets()[videos];
        int f = c.frameHidden();
        double[] y;
        if (c.batchNorm()) {
          y = dense(tp, "trunk/frame_fc", frozenNorm(tp, "trunk/input_bn", x, frames, IN, false), frames, IN, f,
              false);
          y = frozenNorm(tp, "trunk/frame_bn", y, frames, f, true);        } else {
          y = dense(tp, "trunk/frame_fc", x, frames, IN, f, true);
        }
        if (c.frameContextGating()) {
          y = gating(tp, "trunk/frame_gating", y, frames, f);
        }
        double[] pooled = new double[videos * f];
        int[] fo = data.frameOffsets();
        for (int v = 0; v < videos; v++) {
          for (int j = 0; j < f; j++) {
            double num = 0;
            double den = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int t = fo[v]; t < fo[v + 1]; t++) {
              double q = y[t * f + j];
              num += q * Math.abs(q);
              den += Math.abs(q);
              max = Math.max(max, q);
            }
            pooled[v * f + j] = switch (c.pooling()) {
              case SWAP -> den > 0 ? num / den : 0;
              case MEAN -> {
                double sum = 0;
                for (int t = fo[v]; t < fo[v + 1]; t++) {
                  sum += y[t * f + j];
                }
                yield sum / (fo[v + 1] - fo[v]);
              }
              case MAX -> max;
            };
          }
        }
        double[] v1 = c.batchNorm()
            ? frozenNorm(tp, "trunk/video_bn", dense(tp, "trunk/video_fc", pooled, videos, f, c.videoHidden(), false),
                videos, c.videoHidden(), true)
            : dense(tp, "trunk/video_fc", pooled, videos, f, c.videoHidden(), true);
        emb = gating(tp, "trunk/video_gating", v1, videos, c.videoHidden());
        h = c.videoHidden();
      }
      return bce(hp, emb, h);
    }

    /** Batch normalization by the running statistics, then ReLU when {@code relu}. */
    double[] frozenNorm(double[] p, String name, double[] x, int rows, int d, boolean relu) {
      int g = tl.get(name + "/gamma").offset();
      int b = tl.get(name + "/beta").offset();
      int rm = tl.get(name + "/running_mean").offset();
      int rv = tl.get(name + "/running_var").offset();
      double[] y = new double[rows * d];
      for (int t = 0; t < rows; t++) {
        for (int j = 0; j < d; j++) {
          double z = p[g + j] * (x[t * d + j] - p[rm + j]) / Math.sqrt(p[rv + j] + BatchNorm.DEFAULT_EPSILON) + p[b + j];
          y[t * d + j] = relu ? Math.max(0, z) : z;
        }
      }
      return y;
    }

    double[] dense(double[] p, String name, double[] x, int rows, int in, int out, boolean relu) {
      int w = tl.get(name + "/weight").offset();
      int b = tl.get(name + "/bias").offset();
      double[] y = new double[rows * out];
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < out; j++) {
          double z = p[b + j];
          for (int i = 0; i < in; i++) {
            z += x[r * in + i] * p[w + i * out + j];
          }
          y[r * out + j] = relu ? Math.max(0, z) : z;
        }
      }
      return y;
    }

    double[] gating(double[] p, String name, double[] x, int rows, int d) {
      int w = tl.get(name + "/weight").offset();
      int b = tl.get(name + "/bias").offset();
      double[] y = new double[rows * d];
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < d; j++) {
          double z = p[b + j];
          for (int i = 0; i < d; i++) {
            z += x[r * d + i] * p[w + i * d + j];
          }
          y[r * d + j] = x[r * d + j] / (1 + Math.exp(-z));
        }
      }
      return y;
    }

    double bce(double[] hp, double[] emb, int h) {
      int ew = hl.get("heads.expert.w").offset();
      int eb = hl.get("heads.expert.b").offset();
      int gw = hl.get("heads.gate.w").offset();
      int gb = hl.get("heads.gate.b").offset();
      int te = a.totalExperts();
      int tg = a.totalGates();
      double loss = 0;
      for (int r = 0; r < data.size(); r++) {
        boolean[] pos = new boolean[K];
        for (int l : data.labelsOf(r)) {
          pos[l] = true;
        }
        for (int k = 0; k < K; k++) {
          int e = a.experts(k);
          double[] z = new double[e + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= e; j++) {
            int col = a.gateOffset(k) + j;
            double s = hp[gb + col];
            for (int i = 0; i < h; i++) {
              s += emb[r * h + i] * hp[gw + i * tg + col];
            }
            z[j] = s;
            max = Math.max(max, s);
          }
          double sum = 0;
          for (int j = 0; j <= e; j++) {
            sum += Math.exp(z[j] - max);
          }
          double p = 0;
          for (int j = 0; j < e; j++) {
            int col = a.expertOffset(k) + j;
            double s = hp[eb + col];
            for (int i = 0; i < h; i++) {
              s += emb[r * h + i] * hp[ew + i * te + col];
            }
            p += Math.exp(z[j] - max) / sum / (1 + Math.exp(-s));
          }
          loss -= pos[k] ? Math.log(p) : Math.log(1 - p);
        }
      }
      return loss;
    }
  }

  // ---------------------------------------------------------------- checks

  record Analytic(double loss, float[] trunkGrad, float[] headGrad) {}

  static Analytic analytic(VideoModel m, VideoDataset data) {
    VideoBatch batch = new VideoBatch(data.level(), data.dimension());
    batch.gather(data, null, 0, data.size());
    Trunk trunk = m.trunk();
    Trunk.Scratch ts = trunk.newScratch(false);
    MoeHeads.Scratch hs = m.heads().newScratch();
    int h = trunk.outputDim();
    float[] emb = new float[batch.rows * h];
    float[] dEmb = new float[batch.rows * h];
    float[] tg = new float[m.trunkParams().length];
    float[] hg = new float[m.headParams().length];
    trunk.forward(m.trunkParams(), batch, emb, ts);
    double loss = m.heads().lossAndBackward(m.headParams(), emb, batch.rows, batch.labels, batch.labelOffsets,
        dEmb, hg, hs);
    trunk.backward(m.trunkParams(), batch, dEmb, tg, ts);
    return new Analytic(loss, tg, hg);
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  static void checkTensor(String what, ToDoubleFunction<double[]> f, double[] v, TensorRef t, float[] analytic) {
    double[] num = new double[t.size()];
    double max = 0;
    for (int i = 0; i < t.size(); i++) {
      int at = t.offset() + i;
      double saved = v[at];
      v[at] = saved + EPS;
      double plus = f.applyAsDouble(v);
      v[at] = saved - EPS;
      double minus = f.applyAsDouble(v);
      v[at] = saved;
      num[i] = (plus - minus) / (2 * EPS);
      max = Math.max(max, Math.abs(num[i]));
    }
    assertTrue(max > 0, what + " " + t.name() + ": numeric gradient all zero (check would be vacuous)");
    for (int i = 0; i < t.size(); i++) {
      double a = analytic[t.offset() + i];
      double tol = REL_TOL * Math.max(Math.abs(num[i]), FLOOR * max) + ABS_TOL;
      int idx = i;
      assertTrue(Math.abs(a - num[i]) <= tol,
          () -> what + " d" + t.name() + "[" + idx + "]: analytic " + a + " vs numeric " + num[idx]);
    }
  }

  static void checkModel(String what, VideoModel m, VideoDataset data) {
    Reference ref = new Reference(m, data);
    double[] tp = toDouble(m.trunkParams());
    double[] hp = toDouble(m.headParams());
    double refLoss = ref.loss(tp, hp);
    Analytic an = analytic(m, data);
    assertEquals(refLoss, an.loss(), 1e-4 * Math.max(1, Math.abs(refLoss)), what + " loss float vs double");
    assertTrue(refLoss > 0.5, what + " loss should be non-trivial: " + refLoss);

    for (TensorRef t : m.trunk().layout().tensors()) {
      if (t.name().endsWith("/running_mean") || t.name().endsWith("/running_var")) {
        for (int i = 0; i < t.size(); i++) {
          assertEquals(0f, an.trunkGrad()[t.offset() + i], what + " " + t.name() + " is not trainable");
        }
        continue;
      }
      checkTensor(what, v -> ref.loss(v, hp), tp, t, an.trunkGrad());
    }
    for (TensorRef t : m.headLayout().tensors()) {
      checkTensor(what, v -> ref.loss(tp, v), hp, t, an.headGrad());
    }
  }

  @Test
  void videoMlpWithContextGating() {
    SplittableRandom r = new SplittableRandom(11);
    VideoDataset data = dataset(FeatureSpec.Level.VIDEO, r);
    VideoModel m = model(new TrunkConfig.VideoMlp(List.of(5), true), FeatureSpec.Level.VIDEO, r);
    checkModel("video mlp", m, data);
  }

  @Test
  void videoMlpTwoLayersWithoutGating() {
    SplittableRandom r = new SplittableRandom(12);
    VideoDataset data = dataset(FeatureSpec.Level.VIDEO, r);
    VideoModel m = model(new TrunkConfig.VideoMlp(List.of(5, 4), false), FeatureSpec.Level.VIDEO, r);
    checkModel("video mlp 5,4", m, data);
  }

  @Test
  void dbofSwapWithFrameGating() {
    SplittableRandom r = new SplittableRandom(13);
    VideoDataset data = dataset(FeatureSpec.Level.FRAME, r);
    VideoModel m = model(new TrunkConfig.Dbof(4, true, TrunkConfig.Pooling.SWAP, 5, false),
        FeatureSpec.Level.FRAME, r);
    checkModel("dbof", m, data);
  }

  @Test
  void dbofSwapWithFrozenBatchNorm() {
    SplittableRandom r = new SplittableRandom(14);
    VideoDataset data = dataset(FeatureSpec.Level.FRAME, r);
    VideoModel m = model(new TrunkConfig.Dbof(4, true, TrunkConfig.Pooling.SWAP, 5, true),
        FeatureSpec.Level.FRAME, r);
    checkModel("dbof+bn", m, data);
  }

  @Test
  void dbofMeanAndMaxPooling() {
    for (TrunkConfig.Pooling p : new TrunkConfig.Pooling[] {TrunkConfig.Pooling.MEAN, TrunkConfig.Pooling.MAX}) {
      SplittableRandom r = new SplittableRandom(15 + p.ordinal());
      VideoDataset data = dataset(FeatureSpec.Level.FRAME, r);
      VideoModel m = model(new TrunkConfig.Dbof(4, false, p, 5, true), FeatureSpec.Level.FRAME, r);
      checkModel("dbof " + p, m, data);
    }
  }

  /** The trunk gradient summed over an engine's shards (in chunks) equals the one-batch gradient. */
  @Test
  void shardSumsEqualSingleBatchGradient() {
    for (boolean frame : new boolean[] {false, true}) {
      SplittableRandom r = new SplittableRandom(frame ? 21 : 22);
      FeatureSpec.Level level = frame ? FeatureSpec.Level.FRAME : FeatureSpec.Level.VIDEO;
      VideoDataset data = dataset(level, r);
      TrunkConfig tc = frame ? new TrunkConfig.Dbof(4, true, TrunkConfig.Pooling.SWAP, 5, true)
          : new TrunkConfig.VideoMlp(List.of(5), true);
      VideoModel m = model(tc, level, r);
      Analytic single = analytic(m, data);
      for (int shards : new int[] {1, 2, 3}) {
        for (int chunk : new int[] {1, 3, 100}) {
          LossGradient sum;
          try (LocalEngine engine = new LocalEngine(data, 2, shards)) {
            sum = engine.aggregateShards(
                shard -> TrunkGradient.overShard(m, m.trunkParams(), shard, chunk), LossGradient::plus);
          }
          String what = level + " shards=" + shards + " chunk=" + chunk;
          assertEquals(data.size(), sum.videos(), what);
          assertEquals(single.loss(), sum.loss(), 1e-5 * Math.abs(single.loss()), what + " loss");
          float[] g = sum.gradient();
          assertEquals(single.trunkGrad().length, g.length);
          double max = 0;
          for (float v : single.trunkGrad()) {
            max = Math.max(max, Math.abs(v));
          }
          for (int i = 0; i < g.length; i++) {
            assertEquals(single.trunkGrad()[i], g[i], 1e-5 * max + 1e-5 * Math.abs(g[i]), what + " grad[" + i + "]");
          }
        }
      }
    }
  }
}
