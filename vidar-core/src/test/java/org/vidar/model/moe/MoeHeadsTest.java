package org.vidar.model.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vidar.math.JavaKernels;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * {@link MoeHeads} against an independent double-precision reference written with straight loops
 * (softmax, σ, p and q = 1 − p as in the paper): forward and loss, and the analytic gradients
 * against central finite differences of that reference.
 *
 * <p>Gradient tolerance: {@code |analytic − numeric| / max(|analytic|, |numeric|, 1e-2) < 1e-3}
 * for every parameter and every embedding value; the numeric gradient uses ε = 1e-6 in double.
 */
class MoeHeadsTest {
  /** 1000 positives per expert, 1 to 64 experts per class. */
  static final ExpertAllocation.AdaptiveRule RULE = new ExpertAllocation.AdaptiveRule(1000, 1, 64);

  private static final double GRAD_TOL = 1e-3;
  private static final double EPS = 1e-6;

  /** A head group with its layout and random parameters and inputs. */
  static final class Fixture {
    final MoeHeads heads;
    final ParameterLayout layout;
    final int h;
    final int rows;
    final float[] params;
    final float[] emb;
    final int[] labels;
    final int[] offsets;

    Fixture(Kernels kernels, int rows, int h, ExpertAllocation alloc, long seed, double scale) {
      ParameterLayout.Builder b = ParameterLayout.builder();
      // A tensor before the heads: offsets must be honoured, and it must stay untouched.
      b.add("trunk.w", 3);
      this.heads = new MoeHeads("heads", h, alloc, b, kernels);
      this.layout = b.build();
      this.h = h;
      this.rows = rows;
      SplittableRandom random = new SplittableRandom(seed);
      params = new float[layout.size()];
      for (int i = 0; i < params.length; i++) {
        params[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
      }
      emb = new float[rows * h];
      for (int i = 0; i < emb.length; i++) {
        emb[i] = (float) (random.nextDouble() * 2 - 1);
      }
      int k = alloc.numClasses();
      List<Integer> flat = new ArrayList<>();
      offsets = new int[rows + 1];
      for (int r = 0; r < rows; r++) {
        int mode = (int) ((r + seed) % 3);
        if (mode == 1) {
          for (int c = k - 1; c >= 0; c--) {
            flat.add(c);
          }
        } else if (mode == 2) {
          for (int c = 0; c < k; c++) {
            if (random.nextBoolean()) {
              flat.add(c);
              if (random.nextInt(4) == 0) {
                flat.add(c); // a repeated label counts once
              }
            }
          }
        }
        offsets[r + 1] = flat.size();
      }
      labels = flat.stream().mapToInt(Integer::intValue).toArray();
    }

    double[] paramsD() {
      double[] d = new double[params.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = params[i];
      }
      return d;
    }

    double[] embD() {
      double[] d = new double[emb.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = emb[i];
      }
      return d;
    }

    boolean[][] y() {
      boolean[][] y = new boolean[rows][heads.numClasses()];
      for (int r = 0; r < rows; r++) {
        for (int i = offsets[r]; i < offsets[r + 1]; i++) {
          y[r][labels[i]] = true;
        }
      }
      return y;
    }

    /** Straight-loop double reference; fills probs ([rows, K]) when not null and returns the loss. */
    double reference(double[] p, double[] x, double[] probs) {
      ExpertAllocation a = heads.allocation();
      int te = a.totalExperts();
      int tg = a.totalGates();
      int we = heads.expertWeights().offset();
      int be = heads.expertBias().offset();
      int wg = heads.gateWeights().offset();
      int bg = heads.gateBias().offset();
      boolean[][] y = y();
      double loss = 0;
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < a.numClasses(); k++) {
          int e = a.experts(k);
          double[] z = new double[e + 1];
          for (int j = 0; j <= e; j++) {
            int col = a.gateOffset(k) + j;
            z[j] = p[bg + col];
            for (int i = 0; i < h; i++) {
              z[j] += x[r * h + i] * p[wg + i * tg + col];
            }
          }
          double max = Arrays.stream(z).max().getAsDouble();
          double sum = 0;
          for (int j = 0; j <= e; j++) {
            sum += Math.exp(z[j] - max);
          }
          double prob = 0;
          for (int j = 0; j < e; j++) {
            int col = a.expertOffset(k) + j;
            double act = p[be + col];
            for (int i = 0; i < h; i++) {
              act += x[r * h + i] * p[we + i * te + col];
            }
            double g = Math.exp(z[j] - max) / sum;
            prob += g / (1 + Math.exp(-act));
          }
          if (probs != null) {
            probs[r * a.numClasses() + k] = prob;
          }
          loss -= y[r][k] ? Math.log(prob) : Math.log(1 - prob);
        }
      }
      return loss;
    }
  }

  static Stream<Arguments> sizes() {
    List<Arguments> out = new ArrayList<>();
    for (int rows : new int[] {1, 3, 5}) {
      for (int h : new int[] {1, 7}) {
        out.add(Arguments.of(rows, h, ExpertAllocation.of(1)));
        out.add(Arguments.of(rows, h, ExpertAllocation.of(3)));
        // Adaptive: 0 and 999 positives → 1 expert, 2500 and 3000 → 3 experts.
        out.add(Arguments.of(rows, h, ExpertAllocation.adaptive(new long[] {0, 2500, 999, 3000}, RULE)));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "rows={0} H={1} {2}")
  @MethodSource("sizes")
  void forwardAndLossMatchReference(int rows, int h, ExpertAllocation alloc) {
    Fixture f = new Fixture(new JavaKernels(), rows, h, alloc, 7 + rows * 31L + h, 1.0);
    int k = alloc.numClasses();
    double[] ref = new double[rows * k];
    double refLoss = f.reference(f.paramsD(), f.embD(), ref);
    float[] probs = new float[rows * k];
    MoeHeads.Scratch s = f.heads.newScratch();
    f.heads.forward(f.params, f.emb, rows, probs, s);
    for (int i = 0; i < probs.length; i++) {
      assertEquals(ref[i], probs[i], 1e-5, "prob " + i);
    }
    float[] grad = new float[f.params.length];
    double loss = f.heads.lossAndBackward(f.params, f.emb, rows, f.labels, f.offsets, null, grad, s);
    assertEquals(refLoss, loss, 1e-5 * Math.max(1, Math.abs(refLoss)));
  }

  @ParameterizedTest(name = "rows={0} H={1} {2}")
  @MethodSource("sizes")
  void gradientsMatchFiniteDifferences(int rows, int h, ExpertAllocation alloc) {
    Fixture f = new Fixture(new JavaKernels(), rows, h, alloc, 11 + rows * 17L + h, 1.0);
    float[] grad = new float[f.params.length];
    float[] dEmb = new float[f.emb.length];
    f.heads.lossAndBackward(f.params, f.emb, rows, f.labels, f.offsets, dEmb, grad, f.heads.newScratch());

    double[] p = f.paramsD();
    double[] x = f.embD();
    for (int i = 0; i < p.length; i++) {
      double keep = p[i];
      p[i] = keep + EPS;
      double up = f.reference(p, x, null);
      p[i] = keep - EPS;
      double down = f.reference(p, x, null);
      p[i] = keep;
      double numeric = (up - down) / (2 * EPS);
      if (i < 3) {
        assertEquals(0.0, grad[i], "gradient outside the heads' tensors");
        continue;
      }
      assertClose(numeric, grad[i], "param " + i + " of " + f.layout.tensors());
    }
    for (int i = 0; i < x.length; i++) {
      double keep = x[i];
      x[i] = keep + EPS;
      double up = f.reference(p, x, null);
      x[i] = keep - EPS;
      double down = f.reference(p, x, null);
      x[i] = keep;
      assertClose((up - down) / (2 * EPS), dEmb[i], "dEmb " + i);
    }
  }

  private static void assertClose(double numeric, double analytic, String what) {
    double rel = Math.abs(analytic - numeric)
        / Math.max(1e-2, Math.max(Math.abs(analytic), Math.abs(numeric)));
    assertTrue(rel < GRAD_TOL, what + ": analytic " + analytic + " numeric " + numeric + " rel " + rel);
  }

  /** One row, one class, one expert, H = 1, logits ±40: loss and gradients by hand. */
  @Test
  void extremeLogitsHandWorked() {
    ParameterLayout.Builder b = ParameterLayout.builder();
    MoeHeads heads = new MoeHeads("m", 1, ExpertAllocation.of(1), b, new JavaKernels());
    float[] params = new float[b.build().size()];
    int we = heads.expertWeights().offset();
    int wg = heads.gateWeights().offset();
    params[wg] = 0f;
    params[wg + 1] = -40f; // gate z = [0, −40]: the expert carries almost all weight
    float[] emb = {1f};
    MoeHeads.Scratch s = heads.newScratch();

    // y = 1, a = −40: p = g0·σ(−40), L = log(1 + e^−40) + log(1 + e^40).
    params[we] = -40f;
    float[] grad = new float[params.length];
    double loss = heads.lossAndBackward(params, emb, 1, new int[] {0}, new int[] {0, 1}, null, grad, s);
    double expected = Math.log1p(Math.exp(-40)) + 40 + Math.log1p(Math.exp(-40));
    assertEquals(expected, loss, 1e-9 * expected);
    // ∂L/∂a = −π·(1 − σ(a)) with π = 1: ≈ −1.
    assertEquals(-1.0, grad[we], 1e-6);
    assertEquals(Math.exp(-40), grad[wg + 1], 1e-20);

    // y = 0, a = +40: q = g_absent + g0·σ(−40).
    params[we] = 40f;
    Arrays.fill(grad, 0f);
    loss = heads.lossAndBackward(params, emb, 1, new int[0], new int[] {0, 0}, null, grad, s);
    double g0 = 1 / (1 + Math.exp(-40));
    double gAbs = Math.exp(-40) / (1 + Math.exp(-40));
    expected = -Math.log(gAbs + g0 / (1 + Math.exp(40)));
    assertEquals(expected, loss, 1e-9 * expected);
    for (float g : grad) {
      assertTrue(Float.isFinite(g));
    }
    // ∂L/∂a = κ·σ(a), κ = g0·σ(−a)/q ≈ 1/2.
    assertEquals(0.5, grad[we], 1e-6);
  }

  @Test
  void extremeLogitsEverywhereStayFinite() {
    ExpertAllocation alloc = ExpertAllocation.of(1, 3, 16, 2);
    Fixture f = new Fixture(new JavaKernels(), 6, 1, alloc, 3, 1.0);
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 3; i < f.params.length; i++) {
      f.params[i] = random.nextBoolean() ? 40f : -40f;
    }
    Arrays.fill(f.emb, 1f);
    float[] grad = new float[f.params.length];
    float[] dEmb = new float[f.emb.length];
    float[] probs = new float[6 * 4];
    MoeHeads.Scratch s = f.heads.newScratch();
    double loss = f.heads.lossAndBackward(f.params, f.emb, 6, f.labels, f.offsets, dEmb, grad, s);
    f.heads.forward(f.params, f.emb, 6, probs, s);
    assertTrue(Double.isFinite(loss) && loss >= 0, "loss " + loss);
    for (float g : grad) {
      assertTrue(Float.isFinite(g), Arrays.toString(grad));
    }
    for (float g : dEmb) {
      assertTrue(Float.isFinite(g));
    }
    for (float p : probs) {
      assertTrue(p >= 0 && p <= 1);
    }
    // Way past double's exp range: the floor keeps the loss finite (not accurate).
    for (int i = 3; i < f.params.length; i++) {
      f.params[i] *= 30f;
    }
    Arrays.fill(grad, 0f);
    loss = f.heads.lossAndBackward(f.params, f.emb, 6, f.labels, f.offsets, dEmb, grad, s);
    assertTrue(Double.isFinite(loss));
    for (float g : grad) {
      assertTrue(Float.isFinite(g));
    }
  }

  @Test
  void gradientsAccumulate() {
    ExpertAllocation alloc = ExpertAllocation.of(1, 3, 1, 3);
    Fixture a = new Fixture(new JavaKernels(), 5, 7, alloc, 21, 1.0);
    Fixture b = new Fixture(new JavaKernels(), 5, 7, alloc, 22, 1.0);
    MoeHeads heads = a.heads;
    MoeHeads.Scratch s = heads.newScratch();
    float[] ga = new float[a.params.length];
    float[] gb = new float[a.params.length];
    float[] both = new float[a.params.length];
    float[] da = new float[a.emb.length];
    float[] dBoth = new float[a.emb.length];
    double la = heads.lossAndBackward(a.params, a.emb, 5, a.labels, a.offsets, da, ga, s);
    double lb = heads.lossAndBackward(a.params, b.emb, 5, b.labels, b.offsets, null, gb, s);
    double l1 = heads.lossAndBackward(a.params, a.emb, 5, a.labels, a.offsets, dBoth, both, s);
    double l2 = heads.lossAndBackward(a.params, b.emb, 5, b.labels, b.offsets, null, both, s);
    assertEquals(la + lb, l1 + l2, 1e-9);
    for (int i = 0; i < both.length; i++) {
      assertEquals(ga[i] + gb[i], both[i], 1e-5 * Math.max(1, Math.abs(both[i])), "param " + i);
    }
    heads.lossAndBackward(a.params, a.emb, 5, a.labels, a.offsets, dBoth, new float[both.length], s);
    for (int i = 0; i < da.length; i++) {
      assertEquals(2 * da[i], dBoth[i], 1e-5 * Math.max(1, Math.abs(dBoth[i])), "dEmb " + i);
    }
  }

  @Test
  void javaAndNetlibKernelsAgree() {
    ExpertAllocation alloc = ExpertAllocation.adaptive(new long[] {0, 2500, 999, 3000, 16000}, RULE);
    float[][] results = new float[2][];
    float[][] dEmbs = new float[2][];
    double[] losses = new double[2];
    String[] modes = {"java", "netlib"};
    for (int m = 0; m < 2; m++) {
      Fixture f = new Fixture(KernelProvider.select(modes[m]), 13, 103, alloc, 99, 0.2);
      float[] grad = new float[f.params.length];
      float[] dEmb = new float[f.emb.length];
      losses[m] = f.heads.lossAndBackward(f.params, f.emb, 13, f.labels, f.offsets, dEmb, grad,
          f.heads.newScratch());
      results[m] = grad;
      dEmbs[m] = dEmb;
    }
    assertEquals(losses[0], losses[1], 1e-5 * losses[0]);
    for (int i = 0; i < results[0].length; i++) {
      assertEquals(results[0][i], results[1][i], 1e-4 * Math.max(1, Math.abs(results[0][i])), "param " + i);
    }
    for (int i = 0; i < dEmbs[0].length; i++) {
      assertEquals(dEmbs[0][i], dEmbs[1][i], 1e-4 * Math.max(1, Math.abs(dEmbs[0][i])), "dEmb " + i);
    }
  }

  /** A batch large enough for the parallel element-wise pass equals the sum of one-row calls. */
  /**
   * Each class's loss, summed over the rows, is {@code -log p} on its positive rows and
   * {@code -log(1 - p)} on the others, with p from the reference; the classes' losses add up to
   * the returned total, on the parallel pass and on a worker's serial one, and accumulate.
   */
  @Test
  void classLossesAreEachClassesCrossEntropy() {
    ExpertAllocation alloc = ExpertAllocation.fixed(40, 3);
    int rows = 200;
    Fixture f = new Fixture(new JavaKernels(), rows, 5, alloc, 6, 0.5);
    double[] ref = new double[rows * 40];
    f.reference(f.paramsD(), f.embD(), ref);
    double[] expected = new double[40];
    for (int r = 0; r < rows; r++) {
      boolean[] positive = new boolean[40];
      for (int i = f.offsets[r]; i < f.offsets[r + 1]; i++) {
        positive[f.labels[i]] = true;
      }
      for (int k = 0; k < 40; k++) {
        double p = ref[r * 40 + k];
        expected[k] -= Math.log(positive[k] ? p : 1 - p);
      }
    }
    for (MoeHeads.Scratch s : List.of(f.heads.newScratch(), f.heads.newWorkerScratch())) {
      double[] perClass = new double[40];
      perClass[3] = 10;
      double total = f.heads.lossAndBackward(f.params, f.emb, rows, f.labels, f.offsets, null, null, s, perClass);
      perClass[3] -= 10;
      double sum = 0;
      for (int k = 0; k < 40; k++) {
        assertEquals(expected[k], perClass[k], 1e-6 * expected[k], "class " + k);
        sum += perClass[k];
      }
      assertEquals(total, sum, 1e-9 * total);
    }
    assertThrows(IllegalArgumentException.class, () -> f.heads.lossAndBackward(f.params, f.emb, rows, f.labels,
        f.offsets, null, null, f.heads.newScratch(), new double[39]));
  }

  /**
   * lossAndGradient writes the gradient, and the embeddings' gradient when asked, over whatever the
   * arrays held (NaNs included): the same loss, per-class losses and gradients as lossAndBackward
   * into zeroed arrays; no rows give zeros.
   */
  @Test
  void lossAndGradientOverwritesTheGradient() {
    ExpertAllocation alloc = ExpertAllocation.of(1, 3, 2);
    Fixture f = new Fixture(new JavaKernels(), 9, 5, alloc, 3, 0.5);
    float[] zeroed = new float[f.params.length];
    float[] zeroedEmb = new float[f.emb.length];
    double[] perClass = new double[3];
    double loss = f.heads.lossAndBackward(f.params, f.emb, f.rows, f.labels, f.offsets, zeroedEmb, zeroed,
        f.heads.newScratch(), perClass);
    float[] dirty = new float[f.params.length];
    Arrays.fill(dirty, Float.NaN);
    float[] dirtyEmb = new float[f.emb.length];
    Arrays.fill(dirtyEmb, Float.NaN);
    double[] perClass2 = new double[3];
    double loss2 = f.heads.lossAndGradient(f.params, f.emb, f.rows, f.labels, f.offsets, dirtyEmb, dirty,
        f.heads.newScratch(), perClass2);
    assertEquals(loss, loss2, 0);
    assertArrayEquals(perClass, perClass2, 0);
    assertArrayEquals(zeroedEmb, dirtyEmb, 0f);
    assertTrue(zeroedEmb[0] != 0f, "the embeddings' gradient was computed");
    float[] noEmb = new float[f.params.length];
    assertEquals(loss, f.heads.lossAndGradient(f.params, f.emb, f.rows, f.labels, f.offsets, noEmb,
        f.heads.newScratch(), null), 0);
    for (TensorRef t : f.heads.tensors()) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        assertEquals(zeroed[i], noEmb[i], 0f, "without dEmb: " + t.name() + " " + i);
      }
    }
    for (TensorRef t : f.heads.tensors()) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        assertEquals(zeroed[i], dirty[i], 0f, t.name() + " " + i);
      }
      Arrays.fill(dirty, t.offset(), t.offset() + t.size(), 1f);
    }
    assertEquals(0, f.heads.lossAndGradient(f.params, f.emb, 0, f.labels, f.offsets, dirty, f.heads.newScratch(),
        null), 0);
    for (TensorRef t : f.heads.tensors()) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        assertEquals(0f, dirty[i], 0f, "no rows: " + t.name() + " " + i);
      }
    }
  }

  /** copyClassTo and fillClass touch class k's columns and biases, and nothing else. */
  @Test
  void copyAndFillTouchOneClassAlone() {
    ExpertAllocation alloc = ExpertAllocation.of(1, 3, 2);
    Fixture f = new Fixture(new JavaKernels(), 4, 5, alloc, 2, 1.0);
    MoeHeads heads = f.heads;
    float[] marks = new float[f.params.length];
    heads.fillClass(marks, 1, 1f);
    int marked = 0;
    for (float m : marks) {
      marked += (int) m;
    }
    assertEquals((5 + 1) * (3 + 4), marked, "H rows and a bias of 3 expert and 4 gate columns");
    float[] to = new float[f.params.length];
    heads.copyClassTo(f.params, 1, heads, to, 1);
    for (int i = 0; i < to.length; i++) {
      assertEquals(marks[i] == 1f ? f.params[i] : 0f, to[i], "index " + i);
    }
    // class 1's places are the ones its selection gathers
    MoeHeads one = heads.select(new int[] {1});
    float[] gathered = one.newParams();
    heads.gather(f.params, new int[] {1}, one, gathered);
    float[] back = new float[f.params.length];
    heads.scatter(one, gathered, new int[] {1}, back);
    assertArrayEquals(to, back);
  }

  @Test
  void parallelPassEqualsRowByRow() {
    ExpertAllocation alloc = ExpertAllocation.fixed(40, 3);
    int rows = 200;
    assertTrue((long) rows * alloc.totalGates() >= MoeHeads.PARALLEL_MIN_WORK);
    Fixture f = new Fixture(new JavaKernels(), rows, 5, alloc, 4, 0.5);
    MoeHeads heads = f.heads;
    MoeHeads.Scratch s = heads.newScratch();
    float[] grad = new float[f.params.length];
    float[] dEmb = new float[f.emb.length];
    double loss = heads.lossAndBackward(f.params, f.emb, rows, f.labels, f.offsets, dEmb, grad, s);
    assertEquals(f.reference(f.paramsD(), f.embD(), null), loss, 1e-6 * loss);
    float[] probs = new float[rows * 40];
    heads.forward(f.params, f.emb, rows, probs, s);
    double[] ref = new double[rows * 40];
    f.reference(f.paramsD(), f.embD(), ref);

    MoeHeads.Scratch one = heads.newScratch();
    float[] sum = new float[f.params.length];
    float[] prob1 = new float[40];
    for (int r = 0; r < rows; r++) {
      float[] x = Arrays.copyOfRange(f.emb, r * 5, r * 5 + 5);
      int[] lab = Arrays.copyOfRange(f.labels, f.offsets[r], f.offsets[r + 1]);
      float[] dx = new float[5];
      heads.lossAndBackward(f.params, x, 1, lab, new int[] {0, lab.length}, dx, sum, one);
      for (int i = 0; i < 5; i++) {
        assertEquals(dEmb[r * 5 + i], dx[i], 1e-5, "dEmb row " + r);
      }
      heads.forward(f.params, x, 1, prob1, one);
      for (int k = 0; k < 40; k++) {
        assertEquals(ref[r * 40 + k], probs[r * 40 + k], 1e-5);
        assertEquals(probs[r * 40 + k], prob1[k], 1e-6);
      }
    }
    for (int i = 0; i < sum.length; i++) {
      assertEquals(sum[i], grad[i], 1e-4 * Math.max(1, Math.abs(sum[i])), "param " + i);
    }
  }

  @Test
  void aClassFarBelowTheRowsLargestGateKeepsItsPrecision() {
    // Class 0's gates sit near +600 and class 1's near -600: under the row's shift class 1's softmax
    // weights underflow, so the pass takes its own; its loss and gradient must be those of class 1
    // alone (whose own largest gate is the row's).
    ExpertAllocation alloc = ExpertAllocation.fixed(2, 3);
    int h = 2;
    int rows = 3;
    MoeHeads heads = new MoeHeads(h, alloc, new JavaKernels(), org.vidar.math.BulkMath.scalar());
    float[] p = heads.newParams();
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (random.nextDouble() - 0.5);
    }
    TensorRef gb = heads.gateBias();
    for (int j = 0; j < 4; j++) {
      p[gb.offset() + j] += 600f;
      p[gb.offset() + 4 + j] -= 600f;
    }
    TensorRef eb = heads.expertBias();
    p[eb.offset() + 3] = -30f; // class 1's first expert is nearly sure the label is absent
    float[] emb = {0.3f, -1.2f, 0.8f, 0.5f, -0.4f, 0.9f};
    int[] labels = {1, 0, 1};
    int[] offsets = {0, 1, 2, 3};
    float[] grad = heads.newParams();
    double[] classLoss = new double[2];
    heads.lossAndGradient(p, emb, rows, labels, offsets, grad, heads.newWorkerScratch(), classLoss);

    MoeHeads one = heads.select(new int[] {1});
    float[] p1 = one.newParams();
    heads.gather(p, new int[] {1}, one, p1);
    float[] g1 = one.newParams();
    double[] loss1 = new double[1];
    int[] labels1 = {0, 0};
    int[] offsets1 = {0, 1, 1, 2};
    one.lossAndGradient(p1, emb, rows, labels1, offsets1, g1, one.newWorkerScratch(), loss1);
    assertTrue(loss1[0] > 1 && Double.isFinite(loss1[0]), "a real loss: " + loss1[0]);
    assertEquals(loss1[0], classLoss[1], 1e-12 * loss1[0]);
    float[] gathered = one.newParams();
    heads.gather(grad, new int[] {1}, one, gathered);
    for (int i = 0; i < g1.length; i++) {
      assertEquals(g1[i], gathered[i], 1e-6f * Math.max(1e-3f, Math.abs(g1[i])), "gradient " + i);
    }
  }

  @Test
  void anInfiniteGateLogitSpoilsItsOwnClassAlone() {
    ExpertAllocation alloc = ExpertAllocation.fixed(3, 2);
    MoeHeads heads = new MoeHeads(2, alloc, new JavaKernels(), org.vidar.math.BulkMath.scalar());
    float[] p = heads.newParams();
    SplittableRandom random = new SplittableRandom(6);
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (random.nextDouble() - 0.5);
    }
    float[] emb = {0.3f, -1.2f, 0.8f, 0.5f};
    int[] labels = {2, 0};
    int[] offsets = {0, 1, 2};
    double[] finite = new double[3];
    heads.lossAndGradient(p, emb, 2, labels, offsets, heads.newParams(), heads.newWorkerScratch(), finite);
    p[heads.gateBias().offset() + 3] = Float.POSITIVE_INFINITY; // class 1's first gate
    double[] spoiled = new double[3];
    heads.lossAndGradient(p, emb, 2, labels, offsets, heads.newParams(), heads.newWorkerScratch(), spoiled);
    assertTrue(Double.isNaN(spoiled[1]), "class 1: " + spoiled[1]);
    assertEquals(finite[0], spoiled[0], 1e-12 * finite[0]);
    assertEquals(finite[2], spoiled[2], 1e-12 * finite[2]);
  }

  @Test
  void lentThreadsChangeNothing() {
    int rows = 3 * MoeHeads.WORKER_CHUNK_ROWS + 17;
    int h = 9;
    // A pool of 3 that lends what is asked, against one that lends nothing: the same pieces of work.
    // Plain-Java exp and log: the Vector API's give other last bits once the JIT compiles them.
    org.vidar.math.SpareThreads always = pool(3, true);
    org.vidar.math.SpareThreads never = pool(3, false);
    ExpertAllocation narrow = ExpertAllocation.of(3, 1, 2, 4, 1, 3, 2, 2, 1, 5, 3, 2, 4, 1, 2, 3, 1, 2, 3, 4);
    ExpertAllocation wide = ExpertAllocation.fixed(60, 5);
    // narrow: the element-wise pass is cut in chunks, the GEMMs are not; wide: both are
    assertTrue(narrow.totalGates() < 2 * org.vidar.math.ColumnSplitGemm.MIN_BLOCK_COLUMNS);
    assertTrue(wide.totalExperts() >= 2 * org.vidar.math.ColumnSplitGemm.MIN_BLOCK_COLUMNS);
    for (Kernels kernels : new Kernels[] {KernelProvider.get(), new JavaKernels()}) {
      for (ExpertAllocation alloc : new ExpertAllocation[] {narrow, wide}) {
        Fixture f = new Fixture(kernels, rows, h, alloc, 21, 0.8);
        MoeHeads heads = new MoeHeads(h, alloc, kernels, org.vidar.math.BulkMath.scalar());
        float[] params = Arrays.copyOfRange(f.params, 3, f.layout.size()); // the fixture's heads follow trunk.w
        float[] grad = heads.newParams();
        float[] dEmb = new float[f.emb.length];
        double[] classLoss = new double[alloc.numClasses()];
        double loss = heads.lossAndBackward(params, f.emb, rows, f.labels, f.offsets, dEmb, grad,
            heads.newWorkerScratch(never), classLoss);
        assertEquals(f.reference(f.paramsD(), f.embD(), null), loss, 1e-6 * loss);
        for (int repeat = 0; repeat < 3; repeat++) {
          float[] g = heads.newParams();
          float[] d = new float[f.emb.length];
          double[] cl = new double[alloc.numClasses()];
          String what = kernels.name() + ", " + alloc.numClasses() + " classes, lent threads";
          assertEquals(loss, heads.lossAndBackward(params, f.emb, rows, f.labels, f.offsets, d, g,
              heads.newWorkerScratch(always), cl), what);
          assertArrayEquals(grad, g, what);
          assertArrayEquals(dEmb, d, what);
          assertArrayEquals(classLoss, cl, what);
        }
      }
    }
  }

  /** A pool of {@code size} threads that lends all that is asked, or nothing. */
  private static org.vidar.math.SpareThreads pool(int size, boolean lends) {
    return new org.vidar.math.SpareThreads() {
      @Override
      public int poolSize() {
        return size;
      }

      @Override
      public int take(int most) {
        return lends ? Math.min(most, size - 1) : 0;
      }

      @Override
      public void giveBack(int count) {}
    };
  }

  @Test
  void scratchIsReusedWithoutGrowing() {
    Fixture f = new Fixture(new JavaKernels(), 5, 7, ExpertAllocation.of(1, 3, 1, 3), 8, 1.0);
    MoeHeads.Scratch s = f.heads.newScratch();
    float[] g1 = new float[f.params.length];
    float[] g2 = new float[f.params.length];
    double l1 = f.heads.lossAndBackward(f.params, f.emb, 5, f.labels, f.offsets, null, g1, s);
    long capacity = s.capacityFloats();
    f.heads.lossAndBackward(f.params, f.emb, 3, f.labels, f.offsets, null, new float[g1.length], s);
    double l2 = f.heads.lossAndBackward(f.params, f.emb, 5, f.labels, f.offsets, null, g2, s);
    assertEquals(capacity, s.capacityFloats());
    assertEquals(l1, l2);
    assertTrue(Arrays.equals(g1, g2));
  }

  @Test
  void l2PenalisesWeightsOnly() {
    Fixture f = new Fixture(new JavaKernels(), 1, 2, ExpertAllocation.of(2), 1, 1.0);
    float[] grad = new float[f.params.length];
    double penalty = f.heads.l2(f.params, 0.1, grad);
    double expected = 0;
    for (var t : List.of(f.heads.expertWeights(), f.heads.gateWeights())) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        expected += 0.05 * f.params[i] * f.params[i];
        assertEquals(0.1f * f.params[i], grad[i], 1e-7);
      }
    }
    assertEquals(expected, penalty, 1e-9);
    for (var t : List.of(f.heads.expertBias(), f.heads.gateBias())) {
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        assertEquals(0f, grad[i]);
      }
    }
  }

  @Test
  void initializeAndValidate() {
    Fixture f = new Fixture(new JavaKernels(), 2, 4, ExpertAllocation.of(2, 1), 1, 1.0);
    f.heads.initialize(f.params, new SplittableRandom(1));
    var gb = f.heads.gateBias();
    for (int i = gb.offset(); i < gb.offset() + gb.size(); i++) {
      assertEquals(0f, f.params[i]);
    }
    MoeHeads.Scratch s = f.heads.newScratch();
    float[] grad = new float[f.params.length];
    assertThrows(IllegalArgumentException.class, () -> f.heads.lossAndBackward(f.params, f.emb, 2,
        new int[] {2}, new int[] {0, 1, 1}, null, grad, s));
    assertThrows(IllegalArgumentException.class, () -> f.heads.lossAndBackward(f.params, f.emb, 3,
        f.labels, f.offsets, null, grad, s));
    assertThrows(IllegalArgumentException.class, () -> f.heads.forward(new float[3], f.emb, 2,
        new float[4], s));
    assertThrows(IllegalArgumentException.class, () -> f.heads.forward(f.params, f.emb, 2,
        new float[3], s));
    assertEquals(0.0, f.heads.lossAndBackward(f.params, f.emb, 0, new int[0], new int[] {0}, null, grad, s));
  }

  /** Probabilities of {@code rows} random embeddings through heads over their own parameters. */
  private static float[] probabilities(MoeHeads heads, float[] params, float[] emb, int rows) {
    float[] probs = new float[rows * heads.numClasses()];
    heads.forward(params, emb, rows, probs, heads.newScratch());
    return probs;
  }

  private static float[] random(int n, long seed, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    }
    return a;
  }

  @Test
  void grownHeadsGiveTheSameProbabilities() {
    int h = 7;
    int rows = 50;
    // classes of 1, 2 and 3 experts grow into 8, 5 and 3 (uneven copies: 3+2 of class 1's)
    MoeHeads small = new MoeHeads(h, ExpertAllocation.of(1, 2, 3), new JavaKernels());
    MoeHeads large = new MoeHeads(h, ExpertAllocation.of(8, 5, 3), new JavaKernels());
    float[] sp = random(small.parameterCount(), 3, 1.5);
    float[] emb = random(rows * h, 4, 1.0);
    float[] lp = large.newParams();
    for (int k = 0; k < 3; k++) {
      large.growClass(small, sp, k, lp, k, new SplittableRandom(k), 0);
    }
    float[] before = probabilities(small, sp, emb, rows);
    float[] after = probabilities(large, lp, emb, rows);
    for (int i = 0; i < before.length; i++) {
      assertEquals(before[i], after[i], 2e-6, "row " + i / 3 + " class " + i % 3);
    }
    // the copies of class 1's first expert (columns 0, 2, 4 of its 5) share its weights
    TensorRef w = large.expertWeights();
    int at = large.allocation().expertOffset(1);
    for (int r = 0; r < h; r++) {
      int row = w.offset() + r * w.dim(1) + at;
      assertEquals(lp[row], lp[row + 2]);
      assertEquals(lp[row], lp[row + 4]);
    }
  }

  @Test
  void jitteredCopiesDifferButMoveTheProbabilitiesOnlyInTheSecondOrder() {
    int h = 6;
    int rows = 40;
    MoeHeads small = new MoeHeads(h, ExpertAllocation.of(2), new JavaKernels());
    MoeHeads large = new MoeHeads(h, ExpertAllocation.of(8), new JavaKernels());
    float[] sp = random(small.parameterCount(), 5, 1.0);
    float[] emb = random(rows * h, 6, 1.0);
    float[] before = probabilities(small, sp, emb, rows);
    double[] change = new double[2];
    double[] jitters = {0.05, 0.1};
    for (int j = 0; j < 2; j++) {
      float[] lp = large.newParams();
      large.growClass(small, sp, 0, lp, 0, new SplittableRandom(9), jitters[j]);
      float[] after = probabilities(large, lp, emb, rows);
      for (int i = 0; i < rows; i++) {
        change[j] = Math.max(change[j], Math.abs(after[i] - before[i]));
      }
      // every expert column differs from every other one
      TensorRef w = large.expertWeights();
      for (int a = 0; a < 8; a++) {
        for (int b = a + 1; b < 8; b++) {
          assertTrue(lp[w.offset() + a] != lp[w.offset() + b], "experts " + a + " and " + b);
        }
      }
    }
    assertTrue(change[0] > 0, "the jitter moves the heads");
    // twice the step, four times the change (δ² terms), far from the twice of a first-order change
    double ratio = change[1] / change[0];
    assertTrue(ratio > 3.5 && ratio < 4.5, "change ratio " + ratio + " (" + Arrays.toString(change) + ")");
  }

  @Test
  void fewerExpertsKeepTheFirstOnes() {
    int h = 4;
    MoeHeads small = new MoeHeads(h, ExpertAllocation.of(3), new JavaKernels());
    MoeHeads one = new MoeHeads(h, ExpertAllocation.of(1), new JavaKernels());
    float[] sp = random(small.parameterCount(), 7, 1.0);
    float[] op = one.newParams();
    one.growClass(small, sp, 0, op, 0, new SplittableRandom(1), 0.5);
    for (int r = 0; r < h; r++) {
      assertEquals(sp[small.expertWeights().offset() + r * 3], op[one.expertWeights().offset() + r]);
      // gate columns: expert 0, then the absent state (small's column 3)
      assertEquals(sp[small.gateWeights().offset() + r * 4], op[one.gateWeights().offset() + r * 2]);
      assertEquals(sp[small.gateWeights().offset() + r * 4 + 3], op[one.gateWeights().offset() + r * 2 + 1]);
    }
    assertEquals(sp[small.gateBias().offset() + 3], op[one.gateBias().offset() + 1]);
  }

  /** Gathering a class group and scattering it back restores every column; other classes stay untouched. */
  @Test
  void gatherAndScatterMoveWholeClasses() {
    ExpertAllocation alloc = ExpertAllocation.of(2, 1, 3, 1);
    MoeHeads full = new MoeHeads(3, alloc, new JavaKernels());
    float[] params = full.newParams();
    for (int i = 0; i < params.length; i++) {
      params[i] = i + 1;
    }
    int[] classes = {2, 0};
    MoeHeads group = full.select(classes);
    assertEquals(ExpertAllocation.of(3, 2), group.allocation());
    float[] gp = group.newParams();
    full.gather(params, classes, group, gp);
    // group class 0 is full class 2: its first expert weight in row 1, and its "absent" gate bias
    assertEquals(params[full.expertWeights().offset() + alloc.totalExperts() + alloc.expertOffset(2)],
        gp[group.expertWeights().offset() + group.allocation().totalExperts()]);
    assertEquals(params[full.gateBias().offset() + alloc.gateOffset(2) + 3], gp[group.gateBias().offset() + 3]);
    float[] back = new float[params.length];
    full.scatter(group, gp, classes, back);
    int moved = 0;
    for (int i = 0; i < params.length; i++) {
      if (back[i] != 0) {
        assertEquals(params[i], back[i], "parameter " + i);
        moved++;
      }
    }
    // classes 2 and 0: (3 + 2) experts and (4 + 3) gates, each a weight column of 3 rows and a bias
    assertEquals((3 + 2) * 4 + (4 + 3) * 4, moved);
    assertEquals(gp.length, moved);
    assertThrows(IllegalArgumentException.class, () -> full.gather(params, new int[] {1}, group, gp));
  }

  /** For one class, the per-class initializer draws what the whole-heads initializer draws from the same stream. */
  @Test
  void bothInitializersDrawAlike() {
    MoeHeads heads = new MoeHeads(5, ExpertAllocation.of(3), new JavaKernels());
    float[] whole = heads.newParams();
    heads.initialize(whole, new SplittableRandom(9));
    float[] perClass = heads.newParams();
    java.util.Arrays.fill(perClass, 7f);
    heads.initializeClass(perClass, 0, new SplittableRandom(9));
    assertArrayEquals(whole, perClass);
    double bound = heads.initBound();
    for (float w : whole) {
      assertTrue(Math.abs(w) <= bound, "within the bound: " + w);
    }
  }

  /**
   * The element-wise pass on the Vector API's exp and log gives what it gives on Math's, loss,
   * parameter and embedding gradients and probabilities, with large logits (a scale of 30) in play.
   */
  @Test
  void vectorAndScalarMathAgree() {
    ExpertAllocation alloc = ExpertAllocation.adaptive(new long[] {0, 2500, 999, 3000, 16000}, RULE);
    Fixture base = new Fixture(new JavaKernels(), 41, 19, alloc, 7, 30.0);
    org.vidar.math.BulkMath[] maths = {org.vidar.math.BulkMath.scalar(), org.vidar.math.BulkMath.get()};
    float[][] grads = new float[2][];
    float[][] dEmbs = new float[2][];
    float[][] probs = new float[2][];
    double[] losses = new double[2];
    for (int m = 0; m < 2; m++) {
      MoeHeads heads = new MoeHeads(19, alloc, new JavaKernels(), maths[m]);
      float[] params = new float[heads.parameterCount()];
      System.arraycopy(base.params, base.heads.expertWeights().offset(), params, 0, params.length);
      grads[m] = new float[params.length];
      dEmbs[m] = new float[base.emb.length];
      losses[m] = heads.lossAndBackward(params, base.emb, 41, base.labels, base.offsets, dEmbs[m], grads[m],
          heads.newScratch());
      probs[m] = new float[41 * alloc.numClasses()];
      heads.forward(params, base.emb, 41, probs[m], heads.newScratch());
    }
    assertTrue(losses[0] > 0 && Double.isFinite(losses[0]));
    assertEquals(losses[0], losses[1], 1e-12 * losses[0]);
    for (int i = 0; i < grads[0].length; i++) {
      assertEquals(grads[0][i], grads[1][i], 1e-6 * Math.max(1, Math.abs(grads[0][i])), "param " + i);
    }
    for (int i = 0; i < dEmbs[0].length; i++) {
      assertEquals(dEmbs[0][i], dEmbs[1][i], 1e-6 * Math.max(1, Math.abs(dEmbs[0][i])), "dEmb " + i);
    }
    for (int i = 0; i < probs[0].length; i++) {
      assertEquals(probs[0][i], probs[1][i], 1e-6, "prob " + i);
    }
  }
}
