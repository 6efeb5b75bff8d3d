package org.vidar.model.moe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import org.vidar.math.BulkMath;
import org.vidar.math.ColumnSplitGemm;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.math.SpareThreads;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * One Mixture-of-Experts head per class for K classes over an embedding of dimension H, all
 * classes computed together: two batched GEMMs (experts, gates) and one element-wise pass.
 * Immutable; the parameters live in a flat array described by the {@link ParameterLayout} it was
 * built into, and the per-thread work buffers in a {@link Scratch}.
 *
 * <h2>Model</h2>
 *
 * Tensors, named {@code prefix + ".expert.w"} {@code [H, ΣE_k]}, {@code ".expert.b"}
 * {@code [ΣE_k]}, {@code ".gate.w"} {@code [H, Σ(E_k+1)]}, {@code ".gate.b"} {@code [Σ(E_k+1)]};
 * the columns of class k are given by {@link ExpertAllocation}. For an embedding x, expert logits
 * {@code a = x·We + be}, gate logits {@code z = x·Wg + bg}; for class k with E = E_k,
 * {@code g = softmax(z_0..z_E)} where {@code z_E} is the "label absent" state, and
 *
 * <pre>
 *   p_k = Σ_{e<E} g_e·σ(a_e)                      (probability the label is present)
 *   q_k = g_E + Σ_{e<E} g_e·σ(−a_e)  (= 1 − p_k, computed as a sum of positive terms)
 *   L   = Σ_rows Σ_k  −y·log p_k − (1−y)·log q_k   (binary cross-entropy)
 * </pre>
 *
 * <h2>Gradients</h2>
 *
 * With {@code π_e = g_e·σ(a_e)/p} (π_E = 0), {@code κ_e = g_e·σ(−a_e)/q} and
 * {@code κ_E = g_E/q}:
 *
 * <pre>
 *   ∂L/∂a_e = −y·π_e·(1 − σ(a_e)) + (1−y)·κ_e·σ(a_e)
 *   ∂L/∂z_j = g_j − (y·π_j + (1−y)·κ_j)              (j = 0..E, absent state included)
 * </pre>
 *
 * Since {@code g_e/p = w_e/P} with unnormalised softmax weights {@code w_j = exp(z_j − c)}, the
 * shift c the largest gate logit of the row (of the class, when the class's weights under the
 * row's would sum below {@value #MIN_SHIFTED_SUM}), {@code S = Σ w_j}, {@code P = Σ w_e σ(a_e)}, {@code Q = w_E + Σ w_e σ(−a_e)}, the pass uses
 * 2E+1 exponentials, E+2 divisions, one logarithm and no {@code 1 − p} per class and row, all in
 * double (the biases are added there too, not before the GEMMs). Then
 * {@code dW = xᵀ·dLogits}, {@code db = Σ_rows dLogits} and {@code dx = dA·Weᵀ + dZ·Wgᵀ}, as GEMMs.
 * P and Q are floored at {@value #TINY} only against exact underflow to 0.
 *
 * <h2>Labels</h2>
 *
 * Sparse, CSR: the labels of row r are {@code labels[labelOffsets[r] .. labelOffsets[r+1])},
 * class indices in {@code [0, K)} local to this head group, any order; a repeated label counts
 * once.
 */
public final class MoeHeads {

  /** Tensor-name prefix of heads in a layout of their own (the model file's names). */
  public static final String PREFIX = "heads";

  /** Floor of P and Q before dividing or taking a log; reached only on exact underflow. */
  public static final double TINY = 1e-300;

  /**
   * A class's softmax weights under the row's shift must sum to at least this (2⁻⁴⁰), else they
   * are taken again under the class's own: its largest weight then lies within a factor of about
   * 10¹² of 1, so a product such as P stays as far from underflow as with the class's own shift.
   */
  static final double MIN_SHIFTED_SUM = 0x1p-40;

  /** Below this many gate logits per call (rows × Σ(E_k+1)) the element-wise pass is serial. */
  static final long PARALLEL_MIN_WORK = 1L << 14;

  /** Rows of a chunk of a worker's element-wise pass (its unit of work for lent threads). */
  static final int WORKER_CHUNK_ROWS = 128;

  private final int inputDim;
  private final ExpertAllocation allocation;
  private final Kernels kernels;
  private final BulkMath math;
  private final TensorRef expertW;
  private final TensorRef expertB;
  private final TensorRef gateW;
  private final TensorRef gateB;
  private final int paramEnd;
  /** The layout of heads that own one ({@link #MoeHeads(int, ExpertAllocation)}), else null. */
  private final ParameterLayout ownLayout;

  /**
   * Adds this head group's four tensors to {@code layout} under {@code prefix} and keeps their
   * places; GEMMs go through {@code kernels}.
   */
  public MoeHeads(String prefix, int inputDim, ExpertAllocation allocation,
      ParameterLayout.Builder layout, Kernels kernels) {
    if (inputDim < 1) {
      throw new IllegalArgumentException(prefix + ": input dimension must be >= 1, got " + inputDim);
    }
    this.inputDim = inputDim;
    this.allocation = Objects.requireNonNull(allocation, "allocation");
    this.kernels = Objects.requireNonNull(kernels, "kernels");
    this.math = BulkMath.get();
    int te = allocation.totalExperts();
    int tg = allocation.totalGates();
    this.expertW = layout.add(prefix + ".expert.w", inputDim, te);
    this.expertB = layout.add(prefix + ".expert.b", te);
    this.gateW = layout.add(prefix + ".gate.w", inputDim, tg);
    this.gateB = layout.add(prefix + ".gate.b", tg);
    this.paramEnd = gateB.offset() + gateB.size();
    this.ownLayout = null;
  }

  /** As above with the JVM's kernels ({@link KernelProvider#get()}). */
  public MoeHeads(String prefix, int inputDim, ExpertAllocation allocation,
      ParameterLayout.Builder layout) {
    this(prefix, inputDim, allocation, layout, KernelProvider.get());
  }

  /**
   * Heads in a parameter array of their own ({@link #layout()}, tensors named {@value #PREFIX}.*,
   * starting at 0), as a model and every class group hold them; GEMMs go through {@code kernels}.
   */
  public MoeHeads(int inputDim, ExpertAllocation allocation, Kernels kernels) {
    this(inputDim, allocation, kernels, BulkMath.get());
  }

  /** As above, with the element-wise pass's exp and log on {@code math} (tests compare them). */
  public MoeHeads(int inputDim, ExpertAllocation allocation, Kernels kernels, BulkMath math) {
    ParameterLayout.Builder b = ParameterLayout.builder();
    MoeHeads placed = new MoeHeads(PREFIX, inputDim, allocation, b, kernels);
    this.inputDim = inputDim;
    this.allocation = allocation;
    this.kernels = kernels;
    this.math = Objects.requireNonNull(math, "math");
    this.expertW = placed.expertW;
    this.expertB = placed.expertB;
    this.gateW = placed.gateW;
    this.gateB = placed.gateB;
    this.paramEnd = placed.paramEnd;
    this.ownLayout = b.build();
  }

  /** As above with the JVM's kernels ({@link KernelProvider#get()}). */
  public MoeHeads(int inputDim, ExpertAllocation allocation) {
    this(inputDim, allocation, KernelProvider.get());
  }

  /**
   * The heads of a class group, in a layout of their own: class {@code i} of the result is class
   * {@code classes[i]} of these heads (Stage 1 trains groups apart; inference scores them apart).
   */
  public MoeHeads select(int[] classes) {
    return new MoeHeads(inputDim, allocation.select(classes), kernels, math);
  }

  /** The layout of heads built with a layout of their own. */
  public ParameterLayout layout() {
    if (ownLayout == null) {
      throw new IllegalStateException("these heads were placed in a larger layout");
    }
    return ownLayout;
  }

  /** Floats a parameter array for these heads holds: up to the end of their last tensor. */
  public int parameterCount() {
    return paramEnd;
  }

  /** A zero parameter array for these heads. */
  public float[] newParams() {
    return new float[paramEnd];
  }

  /** Embedding dimension H. */
  public int inputDim() {
    return inputDim;
  }

  /** Number of classes K. */
  public int numClasses() {
    return allocation.numClasses();
  }

  /** Experts per class and column offsets. */
  public ExpertAllocation allocation() {
    return allocation;
  }

  /** The kernels the GEMMs run on. */
  public Kernels kernels() {
    return kernels;
  }

  /** Expert weights {@code [H, ΣE_k]}. */
  public TensorRef expertWeights() {
    return expertW;
  }

  /** Expert biases {@code [ΣE_k]}. */
  public TensorRef expertBias() {
    return expertB;
  }

  /** Gate weights {@code [H, Σ(E_k+1)]}. */
  public TensorRef gateWeights() {
    return gateW;
  }

  /** Gate biases {@code [Σ(E_k+1)]}. */
  public TensorRef gateBias() {
    return gateB;
  }

  /** GEMM flops of one forward pass over {@code rows}: 2·rows·H·(ΣE_k + Σ(E_k+1)); backward is twice that. */
  public long forwardFlops(int rows) {
    return 2L * rows * inputDim * ((long) allocation.totalExperts() + allocation.totalGates());
  }

  /**
   * A fresh work area for one thread, whose element-wise pass splits large calls over the common
   * ForkJoin pool: for a caller that is the only one computing.
   */
  public Scratch newScratch() {
    return new Scratch(true, SpareThreads.NONE);
  }

  /**
   * A fresh work area for one of several threads that compute at once (Stage 1's class groups,
   * pre-training's parts, data shards): its element-wise pass runs on the calling thread alone, as
   * the cores are busy with the other callers already.
   */
  public Scratch newWorkerScratch() {
    return newWorkerScratch(SpareThreads.NONE);
  }

  /**
   * As {@link #newWorkerScratch()}, for a worker that may borrow {@code spare} threads, op by op,
   * when other workers have left them idle: its GEMMs and element-wise pass then run over them,
   * with the same results as on one thread.
   */
  public Scratch newWorkerScratch(SpareThreads spare) {
    return new Scratch(false, spare);
  }

  /**
   * Every class's weights uniform in ±{@link #initBound()} (as a dense layer's default), biases 0,
   * so every class starts with equal gates, the absent state included; one stream for all classes,
   * the expert tensor first (joint pre-training's initialization).
   */
  public void initialize(float[] params, SplittableRandom random) {
    checkParams(params, "params");
    double bound = initBound();
    fillColumns(params, expertW, 0, allocation.totalExperts(), bound, random);
    Arrays.fill(params, expertB.offset(), expertB.offset() + expertB.size(), 0f);
    fillColumns(params, gateW, 0, allocation.totalGates(), bound, random);
    Arrays.fill(params, gateB.offset(), gateB.offset() + gateB.size(), 0f);
  }

  /**
   * Class {@code k}'s columns alone, drawn as {@link #initialize} draws them but from a stream of
   * the class's own (expert columns first, row by row, then the gates), so a class starts the same
   * whichever group it is trained in; its biases are set to 0.
   */
  public void initializeClass(float[] params, int k, SplittableRandom random) {
    checkParams(params, "params");
    double bound = initBound();
    int e = allocation.experts(k);
    fillColumns(params, expertW, allocation.expertOffset(k), e, bound, random);
    fillColumns(params, gateW, allocation.gateOffset(k), e + 1, bound, random);
    Arrays.fill(params, expertB.offset() + allocation.expertOffset(k), expertB.offset() + allocation.expertOffset(k) + e,
        0f);
    Arrays.fill(params, gateB.offset() + allocation.gateOffset(k), gateB.offset() + allocation.gateOffset(k) + e + 1,
        0f);
  }

  /** Weights start uniform in ±1/√H. */
  public double initBound() {
    return 1.0 / Math.sqrt(inputDim);
  }

  /** Columns {@code [first, first + count)} of the {@code [H, width]} weight {@code w}, row by row. */
  private void fillColumns(float[] p, TensorRef w, int first, int count, double bound, SplittableRandom random) {
    int width = w.dim(1);
    for (int r = 0; r < inputDim; r++) {
      int base = w.offset() + r * width + first;
      for (int c = 0; c < count; c++) {
        p[base + c] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
  }

  /**
   * Copies the columns of classes {@code classes} of these heads ({@code params}) into
   * {@code group}'s parameters, class {@code classes[i]} to the group's class {@code i}.
   */
  public void gather(float[] params, int[] classes, MoeHeads group, float[] groupParams) {
    checkGroup(group, classes);
    for (int i = 0; i < classes.length; i++) {
      copyClass(this, params, classes[i], group, groupParams, i);
    }
  }

  /** The reverse of {@link #gather}: the group's class {@code i} into class {@code classes[i]} here. */
  public void scatter(MoeHeads group, float[] groupParams, int[] classes, float[] params) {
    checkGroup(group, classes);
    for (int i = 0; i < classes.length; i++) {
      copyClass(group, groupParams, i, this, params, classes[i]);
    }
  }

  /**
   * Class {@code k}'s columns and biases in {@code params} (these heads' layout) to class
   * {@code otherK} of {@code other}'s array {@code otherParams}; the classes must have as many experts.
   */
  public void copyClassTo(float[] params, int k, MoeHeads other, float[] otherParams, int otherK) {
    checkParams(params, "params");
    other.checkParams(otherParams, "otherParams");
    copyClass(this, params, k, other, otherParams, otherK);
  }

  /**
   * Sets class {@code k} of these heads ({@code params}) to class {@code fk} of {@code from}'s
   * heads ({@code fromParams}) with its experts split into this class's count: new expert
   * {@code j} copies old expert {@code j mod E₀}, and each of an old expert's {@code n} copies
   * takes its gate logit less {@code log n}, so the copies' softmax weights add up to the old
   * one's and the head gives the same probabilities (the absent state is copied as it is). The
   * copies of an old expert are then told apart by a random step {@code ±δ} on their expert and
   * gate weights, a pair of copies taking opposite signs: the pair's mean is the old weights, so
   * the probabilities change only in δ² ({@code δ} uniform in ±{@code jitter}·{@link #initBound()}
   * per weight, from {@code random}; an odd copy out keeps the old weights). With fewer experts
   * than {@code fk} has, the first ones are kept and the head is not the same.
   */
  public void growClass(MoeHeads from, float[] fromParams, int fk, float[] params, int k, SplittableRandom random,
      double jitter) {
    from.checkParams(fromParams, "fromParams");
    checkParams(params, "params");
    if (from.inputDim != inputDim) {
      throw new IllegalArgumentException("heads over " + from.inputDim + " inputs do not grow into heads over "
          + inputDim);
    }
    int e0 = from.allocation.experts(fk);
    int e = allocation.experts(k);
    int fe = from.allocation.expertOffset(fk);
    int fg = from.allocation.gateOffset(fk);
    int te = allocation.expertOffset(k);
    int tg = allocation.gateOffset(k);
    for (int j = 0; j < e; j++) {
      int old = j % e0;
      copyColumns(fromParams, from.expertW, fe + old, params, expertW, te + j, 1);
      copyColumns(fromParams, from.expertB, fe + old, params, expertB, te + j, 1);
      copyColumns(fromParams, from.gateW, fg + old, params, gateW, tg + j, 1);
      int copies = e / e0 + (old < e % e0 ? 1 : 0);
      params[gateB.offset() + tg + j] = (float) (fromParams[from.gateB.offset() + fg + old] - Math.log(copies));
    }
    copyColumns(fromParams, from.gateW, fg + e0, params, gateW, tg + e, 1);
    copyColumns(fromParams, from.gateB, fg + e0, params, gateB, tg + e, 1);
    double bound = jitter * initBound();
    if (bound > 0) {
      // old expert o's copies are o, o + E₀, o + 2E₀, ...: copies 2m and 2m+1 form a pair
      for (int j = 0; j + e0 < e; j += 2 * e0) {
        for (int o = 0; o < e0 && j + e0 + o < e; o++) {
          oppositeSteps(params, expertW, te + j + o, te + j + e0 + o, bound, random);
          oppositeSteps(params, gateW, tg + j + o, tg + j + e0 + o, bound, random);
        }
      }
    }
  }

  /** Adds a random step δ (uniform in ±{@code bound} per weight) to column {@code plus} of {@code w} and −δ to {@code minus}. */
  private void oppositeSteps(float[] params, TensorRef w, int plus, int minus, double bound, SplittableRandom random) {
    int width = w.dim(1);
    for (int r = 0; r < inputDim; r++) {
      float step = (float) ((random.nextDouble() * 2 - 1) * bound);
      params[w.offset() + r * width + plus] += step;
      params[w.offset() + r * width + minus] -= step;
    }
  }

  /**
   * Sets class {@code k}'s places (its columns and biases) in {@code a}, an array laid out as these
   * heads' parameters, to {@code value}: a per-parameter learning rate, for one.
   */
  public void fillClass(float[] a, int k, float value) {
    checkParams(a, "a");
    int e = allocation.experts(k);
    fillColumns(a, expertW, allocation.expertOffset(k), e, value);
    fillColumns(a, expertB, allocation.expertOffset(k), e, value);
    fillColumns(a, gateW, allocation.gateOffset(k), e + 1, value);
    fillColumns(a, gateB, allocation.gateOffset(k), e + 1, value);
  }

  /** {@code count} columns of a weight {@code [H, width]} or a bias {@code [width]} set to {@code value}. */
  private static void fillColumns(float[] a, TensorRef t, int first, int count, float value) {
    int rows = t.shape().length == 1 ? 1 : t.dim(0);
    int width = t.dim(t.shape().length - 1);
    for (int r = 0; r < rows; r++) {
      int base = t.offset() + r * width + first;
      Arrays.fill(a, base, base + count, value);
    }
  }

  private void checkGroup(MoeHeads group, int[] classes) {
    if (group.inputDim != inputDim || group.numClasses() != classes.length) {
      throw new IllegalArgumentException("a group of " + group.numClasses() + " classes over " + group.inputDim
          + " inputs does not take " + classes.length + " classes of heads over " + inputDim);
    }
  }

  /** Class {@code fk}'s expert and gate columns and biases in {@code from} to class {@code tk} in {@code to}. */
  private static void copyClass(MoeHeads from, float[] fp, int fk, MoeHeads to, float[] tp, int tk) {
    int e = from.allocation.experts(fk);
    if (to.allocation.experts(tk) != e) {
      throw new IllegalArgumentException("class " + fk + " has " + e + " experts, its place " + tk + " "
          + to.allocation.experts(tk));
    }
    copyColumns(fp, from.expertW, from.allocation.expertOffset(fk), tp, to.expertW, to.allocation.expertOffset(tk), e);
    copyColumns(fp, from.expertB, from.allocation.expertOffset(fk), tp, to.expertB, to.allocation.expertOffset(tk), e);
    copyColumns(fp, from.gateW, from.allocation.gateOffset(fk), tp, to.gateW, to.allocation.gateOffset(tk), e + 1);
    copyColumns(fp, from.gateB, from.allocation.gateOffset(fk), tp, to.gateB, to.allocation.gateOffset(tk), e + 1);
  }

  /** {@code count} columns of a weight {@code [H, width]} or a bias {@code [width]}, row by row. */
  private static void copyColumns(float[] src, TensorRef st, int sc, float[] dst, TensorRef dt, int dc, int count) {
    int rows = st.shape().length == 1 ? 1 : st.dim(0);
    int sw = st.dim(st.shape().length - 1);
    int dw = dt.dim(dt.shape().length - 1);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, st.offset() + r * sw + sc, dst, dt.offset() + r * dw + dc, count);
    }
  }

  /** The four tensors: expert weights and biases, gate weights and biases. */
  public List<TensorRef> tensors() {
    return List.of(expertW, expertB, gateW, gateB);
  }

  /** Whether the L2 penalty ({@link #l2}) covers tensor {@code t}: the weights, not the biases. */
  public boolean penalized(TensorRef t) {
    return t.equals(expertW) || t.equals(gateW);
  }

  /**
   * L2 penalty {@code λ/2·(‖We‖² + ‖Wg‖²)} on the weights (not the biases); adds {@code λ·W} to
   * {@code grad} and returns the penalty.
   */
  public double l2(float[] params, double lambda, float[] grad) {
    checkParams(params, "params");
    checkParams(grad, "grad");
    double sum = 0;
    for (TensorRef t : new TensorRef[] {expertW, gateW}) {
      for (int i = t.offset(), end = t.offset() + t.size(); i < end; i++) {
        double w = params[i];
        sum += w * w;
        grad[i] += (float) (lambda * w);
      }
    }
    return 0.5 * lambda * sum;
  }

  /**
   * Label-present probabilities {@code p_k} of {@code rows} embeddings ({@code emb} is
   * {@code [rows, H]}) into {@code probs} ({@code [rows, K]}, overwritten).
   */
  public void forward(float[] params, float[] emb, int rows, float[] probs, Scratch scratch) {
    checkParams(params, "params");
    checkRows(emb, rows);
    checkLength(probs, (long) rows * numClasses(), "probs");
    if (rows == 0) {
      return;
    }
    logits(params, emb, rows, scratch);
    elementwise(params, scratch, rows, null, null, probs, false, null);
  }

  /**
   * Binary cross-entropy summed over rows and classes; adds its gradient with respect to the
   * parameters to {@code grad} (same layout as {@code params}) and, unless {@code dEmb} is null,
   * with respect to the embeddings to {@code dEmb} ({@code [rows, H]}). Both accumulate: zero
   * them first for a fresh gradient. Labels are CSR (see the class comment).
   *
   * A null {@code grad} skips the parameter gradient (frozen heads, as in Stage 2): only the loss
   * and {@code dEmb} are computed, saving two thirds of the backward GEMMs.
   *
   * @return the loss summed over rows and classes
   */
  public double lossAndBackward(float[] params, float[] emb, int rows, int[] labels,
      int[] labelOffsets, float[] dEmb, float[] grad, Scratch scratch) {
    return lossAndBackward(params, emb, rows, labels, labelOffsets, dEmb, grad, scratch, null);
  }

  /**
   * As {@link #lossAndBackward(float[], float[], int, int[], int[], float[], float[], Scratch)},
   * and, unless {@code classLoss} is null, adds each class's loss summed over the rows to
   * {@code classLoss[k]} (Stage 1 stops each class on its own held-out loss).
   */
  public double lossAndBackward(float[] params, float[] emb, int rows, int[] labels,
      int[] labelOffsets, float[] dEmb, float[] grad, Scratch scratch, double[] classLoss) {
    return lossAndBackward(params, emb, rows, labels, labelOffsets, dEmb, grad, 1f, scratch, classLoss);
  }

  /**
   * The loss of {@code rows} (and each class's, into {@code classLoss} when it is not null) with
   * the parameter gradient of these rows alone written over {@code grad}'s tensors: the GEMMs write
   * it with β = 0, so the caller need not zero the array first (Stage 1 does this every batch).
   */
  public double lossAndGradient(float[] params, float[] emb, int rows, int[] labels, int[] labelOffsets,
      float[] grad, Scratch scratch, double[] classLoss) {
    return lossAndGradient(params, emb, rows, labels, labelOffsets, null, grad, scratch, classLoss);
  }

  /**
   * As {@link #lossAndGradient(float[], float[], int, int[], int[], float[], Scratch, double[])},
   * and, unless {@code dEmb} is null, the gradient with respect to the embeddings written over
   * {@code dEmb}'s first {@code rows × H} floats (pre-training's whole batch: nothing to zero).
   */
  public double lossAndGradient(float[] params, float[] emb, int rows, int[] labels, int[] labelOffsets,
      float[] dEmb, float[] grad, Scratch scratch, double[] classLoss) {
    Objects.requireNonNull(grad, "grad");
    if (rows == 0) {
      checkParams(grad, "grad");
      for (TensorRef t : tensors()) {
        Arrays.fill(grad, t.offset(), t.offset() + t.size(), 0f);
      }
    }
    return lossAndBackward(params, emb, rows, labels, labelOffsets, dEmb, grad, 0f, scratch, classLoss);
  }

  /**
   * The pass behind the public methods: the parameter gradient is {@code gradBeta·grad} plus this
   * batch's, and {@code dEmb} (unless null) {@code gradBeta·dEmb} plus this batch's, so β = 0
   * writes both over and β = 1 adds.
   */
  private double lossAndBackward(float[] params, float[] emb, int rows, int[] labels,
      int[] labelOffsets, float[] dEmb, float[] grad, float gradBeta, Scratch scratch, double[] classLoss) {
    checkParams(params, "params");
    if (classLoss != null) {
      checkLength(classLoss, numClasses(), "classLoss");
    }
    if (grad != null) {
      checkParams(grad, "grad");
    }
    checkRows(emb, rows);
    checkLabels(labels, labelOffsets, rows);
    if (dEmb != null) {
      checkLength(dEmb, (long) rows * inputDim, "dEmb");
    }
    if (rows == 0) {
      return 0;
    }
    logits(params, emb, rows, scratch);
    double loss = elementwise(params, scratch, rows, labels, labelOffsets, null, true, classLoss);

    int h = inputDim;
    int te = allocation.totalExperts();
    int tg = allocation.totalGates();
    float[] dA = scratch.expert;
    float[] dZ = scratch.gate;
    if (grad != null) {
      // dW = β·dW + xᵀ·dLogits
      gemm(scratch, true, false, h, te, rows, emb, 0, h, dA, 0, te, gradBeta, grad, expertW.offset(), te);
      gemm(scratch, true, false, h, tg, rows, emb, 0, h, dZ, 0, tg, gradBeta, grad, gateW.offset(), tg);
      // db = β·db + 1ᵀ·dLogits (a GEMM with a row of ones: BLAS reads dLogits once, in parallel)
      kernels.sgemm(false, false, 1, te, rows, 1f, scratch.ones, 0, rows, dA, 0, te, gradBeta, grad, expertB.offset(),
          te);
      kernels.sgemm(false, false, 1, tg, rows, 1f, scratch.ones, 0, rows, dZ, 0, tg, gradBeta, grad, gateB.offset(),
          tg);
    }
    if (dEmb != null) {
      // dx = β·dx + dA·Weᵀ + dZ·Wgᵀ
      gemm(scratch, false, true, rows, h, te, dA, 0, te, params, expertW.offset(), te, gradBeta, dEmb, 0, h);
      gemm(scratch, false, true, rows, h, tg, dZ, 0, tg, params, gateW.offset(), tg, 1f, dEmb, 0, h);
    }
    return loss;
  }

  /**
   * Expert and gate logits of all rows, without their biases, into the scratch buffers; the
   * element-wise pass adds the biases as it reads them (saving a pass over ~0.5 GB at full size).
   */
  private void logits(float[] params, float[] emb, int rows, Scratch s) {
    int h = inputDim;
    int te = allocation.totalExperts();
    int tg = allocation.totalGates();
    s.ensure(rows, te, tg);
    gemm(s, false, false, rows, te, h, emb, 0, h, params, expertW.offset(), te, 0f, s.expert, 0, te);
    gemm(s, false, false, rows, tg, h, emb, 0, h, params, gateW.offset(), tg, 0f, s.gate, 0, tg);
  }

  /** One of the pass's large GEMMs (alpha 1), over the threads the scratch's caller may borrow. */
  private void gemm(Scratch s, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    ColumnSplitGemm.sgemm(kernels, s.spare, transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
        ldc);
  }

  /**
   * The per-row, per-class pass over the logits in the scratch. Forward: writes p into
   * {@code probs}. Backward: replaces the logits by ∂L/∂logit in place and returns the loss.
   * Rows are split into contiguous chunks run on the common ForkJoin pool when the work is
   * large; chunk losses are added in chunk order so the result does not depend on scheduling.
   */
  private double elementwise(float[] params, Scratch s, int rows, int[] labels,
      int[] labelOffsets, float[] probs, boolean backward, double[] classLoss) {
    if (!s.parallel) {
      return workerElementwise(params, s, rows, labels, labelOffsets, probs, backward, classLoss);
    }
    long work = (long) rows * allocation.totalGates();
    int chunks = 1;
    if (work >= PARALLEL_MIN_WORK) {
      // The calling thread works too: the common pool has one thread fewer than there are cores.
      int par = Math.max(ForkJoinPool.getCommonPoolParallelism() + 1,
          Runtime.getRuntime().availableProcessors());
      chunks = (int) Math.min(rows, par * 4L);
    }
    if (chunks == 1) {
      return pass(params, s, 0, rows, labels, labelOffsets, probs, backward, classLoss);
    }
    List<RecursiveAction> tasks = new ArrayList<>(chunks);
    double[] losses = new double[chunks];
    double[][] classLosses = classLoss == null ? null : new double[chunks][classLoss.length];
    for (int c = 0; c < chunks; c++) {
      final int chunk = c;
      final int r0 = (int) ((long) rows * c / chunks);
      final int r1 = (int) ((long) rows * (c + 1) / chunks);
      tasks.add(new RecursiveAction() {
        @Override
        protected void compute() {
          losses[chunk] = pass(params, s, r0, r1, labels, labelOffsets, probs, backward,
              classLosses == null ? null : classLosses[chunk]);
        }
      });
    }
    ForkJoinTask.invokeAll(tasks);
    return addInOrder(losses, classLosses, classLoss);
  }

  /**
   * The element-wise pass of a worker's scratch: rows in chunks of {@link #WORKER_CHUNK_ROWS}
   * whatever the threads, each chunk's losses summed on their own and the chunks' added in order,
   * so the result is the same whether or not spare threads were lent to run the chunks.
   */
  private double workerElementwise(float[] params, Scratch s, int rows, int[] labels,
      int[] labelOffsets, float[] probs, boolean backward, double[] classLoss) {
    int chunks = (rows + WORKER_CHUNK_ROWS - 1) / WORKER_CHUNK_ROWS;
    if (chunks <= 1) {
      return pass(params, s, 0, rows, labels, labelOffsets, probs, backward, classLoss);
    }
    double[] losses = new double[chunks];
    double[][] classLosses = classLoss == null ? null : s.chunkClassLosses(chunks, classLoss.length);
    SpareThreads.share(s.spare, chunks, c -> losses[c] = pass(params, s, c * WORKER_CHUNK_ROWS,
        Math.min(rows, (c + 1) * WORKER_CHUNK_ROWS), labels, labelOffsets, probs, backward,
        classLosses == null ? null : classLosses[c]));
    return addInOrder(losses, classLosses, classLoss);
  }

  /** The chunks' losses added in chunk order (into {@code classLoss} too, when asked); their sum. */
  private static double addInOrder(double[] losses, double[][] classLosses, double[] classLoss) {
    double loss = 0;
    for (int c = 0; c < losses.length; c++) {
      loss += losses[c];
      if (classLosses != null) {
        for (int k = 0; k < classLoss.length; k++) {
          classLoss[k] += classLosses[c][k];
        }
      }
    }
    return loss;
  }

  /**
   * Rows {@code [r0, r1)} of the element-wise pass. Per row, the transcendental functions run over
   * the whole row at once ({@link BulkMath}: every expert's sigmoids, every gate's exponential, then
   * the classes' logarithms), and the per-class loop that mixes them does only products, sums and
   * two divisions a class.
   */
  private double pass(float[] params, Scratch s, int r0, int r1, int[] labels, int[] labelOffsets, float[] probs,
      boolean backward, double[] classLoss) {
    int numClasses = numClasses();
    int te = allocation.totalExperts();
    int tg = allocation.totalGates();
    float[] ea = s.expert;
    float[] zg = s.gate;
    RowBuffers b = s.takeRows(te, tg, numClasses);
    try {
      return pass(params, ea, zg, b, r0, r1, labels, labelOffsets, probs, backward, classLoss);
    } finally {
      s.giveRows(b);
    }
  }

  private double pass(float[] params, float[] ea, float[] zg, RowBuffers b, int r0, int r1, int[] labels,
      int[] labelOffsets, float[] probs, boolean backward, double[] classLoss) {
    if (!backward) {
      for (int r = r0; r < r1; r++) {
        rowForward(params, ea, zg, b, r, probs);
      }
      return 0;
    }
    double loss = 0;
    int numClasses = numClasses();
    for (int r = r0; r < r1; r++) {
      loss += rowBackward(params, ea, zg, b, r, labels, labelOffsets);
      if (classLoss != null) {
        double[] logArgs = b.logArgs; // each class's log-likelihood, after rowBackward
        for (int k = 0; k < numClasses; k++) {
          classLoss[k] -= logArgs[k];
        }
      }
    }
    return loss;
  }

  /**
   * The start of row {@code r}'s element-wise pass: every expert's sigmoid ({@code b.sig},
   * {@code b.sigNeg}) and every gate's exponential shifted by the row's largest gate logit
   * ({@code b.z}, {@code b.w}), each over the whole row at once ({@link BulkMath}). The shift is the
   * row's largest logit (unit-stride loops the JIT vectorizes), not each class's (a serial chain of
   * Math.max a class, a third of the pass); a class far below it takes its own
   * ({@link #classSums}). Whether the row's shift was taken: not when its largest logit is infinite
   * or NaN, which then spoils its own class alone.
   *
   * <p>The row's parts are methods of their own, called row by row, so that the JIT compiles each
   * as a whole method: with the loop over rows inside, pre-training an MLP trunk saw seven C2
   * compilations of 0.1 to 0.23 s (a core each, while training ran on slower code), against three.
   * Scoring and training have a method each, and the per-class losses are added outside them: with
   * one method for all, the first call of a kind the JIT had not seen (pre-training's first
   * held-out scoring, Stage 1's per-class losses) threw its compiled code away mid-run.
   */
  private boolean rowLogits(float[] params, float[] ea, float[] zg, RowBuffers b, int r) {
    int te = allocation.totalExperts();
    int tg = allocation.totalGates();
    double[] a = b.a;
    double[] z = b.z;
    int eb = expertB.offset();
    int gb = gateB.offset();
    int aRow = r * te;
    int zRow = r * tg;
    for (int j = 0; j < te; j++) {
      a[j] = (double) ea[aRow + j] + params[eb + j];
    }
    math.sigmoids(a, b.sig, b.sigNeg, te);
    double rowMax = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < tg; j++) {
      double v = (double) zg[zRow + j] + params[gb + j];
      z[j] = v;
      rowMax = Math.max(rowMax, v);
    }
    boolean rowShift = Double.isFinite(rowMax);
    if (rowShift) {
      for (int j = 0; j < tg; j++) {
        z[j] -= rowMax;
      }
      math.exp(z, b.w, tg);
    }
    return rowShift;
  }

  /**
   * Class {@code k}'s softmax sum S (absent state included), P = Σ w_e·σ_e and Q = w_absent +
   * Σ w_e·(1 − σ_e) into {@code sums[0..2]}, in one loop (three independent sums); under the row's
   * shift unless it was not taken or leaves S below {@link #MIN_SHIFTED_SUM}, when the class's
   * weights are recomputed under its own largest logit ({@link #shiftToClassMax}).
   */
  private void classSums(RowBuffers b, int k, boolean rowShift, double[] sums) {
    int experts = allocation.experts(k);
    int aO = allocation.expertOffset(k);
    int zO = allocation.gateOffset(k);
    double[] w = b.w;
    double[] sig = b.sig;
    double[] sigNeg = b.sigNeg;
    if (!rowShift) {
      shiftToClassMax(b.z, w, zO, experts + 1);
    }
    boolean ownShift = !rowShift;
    while (true) {
      double sum = w[zO + experts];
      double present = 0;
      double absent = sum;
      for (int e = 0; e < experts; e++) {
        double we = w[zO + e];
        sum += we;
        present += we * sig[aO + e];
        absent += we * sigNeg[aO + e];
      }
      if (sum >= MIN_SHIFTED_SUM || ownShift) {
        sums[0] = sum;
        sums[1] = present;
        sums[2] = absent;
        return;
      }
      shiftToClassMax(b.z, w, zO, experts + 1);
      ownShift = true;
    }
  }

  /** Row {@code r}'s label-present probabilities into {@code probs}. */
  private void rowForward(float[] params, float[] ea, float[] zg, RowBuffers b, int r, float[] probs) {
    int numClasses = numClasses();
    boolean rowShift = rowLogits(params, ea, zg, b, r);
    double[] sums = b.sums;
    for (int k = 0; k < numClasses; k++) {
      classSums(b, k, rowShift, sums);
      probs[r * numClasses + k] = (float) (sums[1] / sums[0]);
    }
  }

  /**
   * Row {@code r}'s loss; its logits replaced by the loss's gradient with respect to them, and each
   * class's log-likelihood left in {@code b.logArgs}.
   */
  private double rowBackward(float[] params, float[] ea, float[] zg, RowBuffers b, int r, int[] labels,
      int[] labelOffsets) {
    int numClasses = numClasses();
    int te = allocation.totalExperts();
    int tg = allocation.totalGates();
    double[] sig = b.sig;
    double[] sigNeg = b.sigNeg;
    double[] w = b.w;
    double[] logArgs = b.logArgs;
    double[] sums = b.sums;
    boolean[] positive = b.positive;
    for (int i = labelOffsets[r]; i < labelOffsets[r + 1]; i++) {
      positive[labels[i]] = true;
    }
    boolean rowShift = rowLogits(params, ea, zg, b, r);
    int aRow = r * te;
    int zRow = r * tg;
    for (int k = 0; k < numClasses; k++) {
      classSums(b, k, rowShift, sums);
      int experts = allocation.experts(k);
      int aO = allocation.expertOffset(k);
      int zO = allocation.gateOffset(k);
      double invSum = 1.0 / sums[0];
      int aOff = aRow + aO;
      int zOff = zRow + zO;
      if (positive[k]) {
        double pFloor = Math.max(sums[1], TINY);
        logArgs[k] = pFloor * invSum;
        double invP = 1.0 / pFloor;
        for (int e = 0; e < experts; e++) {
          double pi = w[zO + e] * sig[aO + e] * invP;
          ea[aOff + e] = (float) (-pi * sigNeg[aO + e]);
          zg[zOff + e] = (float) (w[zO + e] * invSum - pi);
        }
        zg[zOff + experts] = (float) (w[zO + experts] * invSum);
      } else {
        double qFloor = Math.max(sums[2], TINY);
        logArgs[k] = qFloor * invSum;
        double invQ = 1.0 / qFloor;
        for (int e = 0; e < experts; e++) {
          double kappa = w[zO + e] * sigNeg[aO + e] * invQ;
          ea[aOff + e] = (float) (kappa * sig[aO + e]);
          zg[zOff + e] = (float) (w[zO + e] * invSum - kappa);
        }
        zg[zOff + experts] = (float) (w[zO + experts] * (invSum - invQ));
      }
    }
    math.log(logArgs, logArgs, numClasses);
    double loss = 0;
    for (int k = 0; k < numClasses; k++) {
      loss -= logArgs[k];
    }
    for (int i = labelOffsets[r]; i < labelOffsets[r + 1]; i++) {
      positive[labels[i]] = false;
    }
    return loss;
  }

  /**
   * Recomputes one class's softmax weights {@code w[from, from+gates)} with the class's own
   * largest logit as the shift ({@code z} holds the logits, less the row's shift if it was taken):
   * for a class whose gates all lie far below the row's largest, whose weights under the row's
   * shift would lose their precision to underflow, and for every class of a row whose largest
   * logit is not finite.
   */
  private static void shiftToClassMax(double[] z, double[] w, int from, int gates) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = from; j < from + gates; j++) {
      max = Math.max(max, z[j]);
    }
    for (int j = from; j < from + gates; j++) {
      z[j] -= max;
      w[j] = Math.exp(z[j]);
    }
  }

  private void checkParams(float[] p, String what) {
    Objects.requireNonNull(p, what);
    if (p.length < paramEnd) {
      throw new IllegalArgumentException(what + " has " + p.length + " floats, the layout needs "
          + paramEnd + " (tensors up to " + gateB + ")");
    }
  }

  private void checkRows(float[] emb, int rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    checkLength(emb, (long) rows * inputDim, "emb");
  }

  private static void checkLength(double[] a, long needed, String what) {
    Objects.requireNonNull(a, what);
    if (a.length < needed) {
      throw new IllegalArgumentException(what + " has " + a.length + " entries, needs " + needed);
    }
  }

  private static void checkLength(float[] a, long needed, String what) {
    Objects.requireNonNull(a, what);
    if (a.length < needed) {
      throw new IllegalArgumentException(what + " has " + a.length + " floats, needs " + needed);
    }
  }

  private void checkLabels(int[] labels, int[] offsets, int rows) {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(offsets, "labelOffsets");
    if (offsets.length < rows + 1) {
      throw new IllegalArgumentException("labelOffsets has " + offsets.length + " entries, needs rows + 1 = "
          + (rows + 1));
    }
    if (rows == 0) {
      return;
    }
    if (offsets[0] < 0 || offsets[rows] > labels.length) {
      throw new IllegalArgumentException("labelOffsets span [" + offsets[0] + ", " + offsets[rows]
          + ") outside labels of length " + labels.length);
    }
    int k = numClasses();
    for (int r = 0; r < rows; r++) {
      if (offsets[r + 1] < offsets[r]) {
        throw new IllegalArgumentException("labelOffsets decrease at row " + r);
      }
      for (int i = offsets[r]; i < offsets[r + 1]; i++) {
        if (labels[i] < 0 || labels[i] >= k) {
          throw new IllegalArgumentException("row " + r + ": label " + labels[i] + " outside [0, " + k + ")");
        }
      }
    }
  }

  /** One chunk's buffers for a row of logits: expert inputs and sigmoids, gate logits and weights. */
  private static final class RowBuffers {
    final double[] a;
    final double[] sig;
    final double[] sigNeg;
    final double[] z;
    final double[] w;
    final double[] logArgs;
    final boolean[] positive;
    /** One class's S, P and Q ({@code classSums}). */
    final double[] sums = new double[3];

    RowBuffers(int te, int tg, int classes) {
      a = new double[te];
      sig = new double[te];
      sigNeg = new double[te];
      z = new double[tg];
      w = new double[tg];
      logArgs = new double[classes];
      positive = new boolean[classes];
    }

    boolean holds(int te, int tg, int classes) {
      return a.length >= te && z.length >= tg && positive.length >= classes;
    }
  }

  /**
   * Work buffers of one thread: the expert and gate logits of a batch (reused in place for their
   * gradients) and small per-chunk arrays. Grown to the largest batch seen, never shrunk; not
   * thread-safe, so one per thread.
   */
  public static final class Scratch {
    private float[] expert = new float[0];
    private float[] gate = new float[0];
    private float[] ones = new float[0];
    /**
     * Row buffers not in use: a chunk takes one and gives it back, so there are as many as chunks
     * ever ran at once (about the cores), not one per chunk.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<RowBuffers> freeRows =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Whether the element-wise pass may split over the common ForkJoin pool. */
    private final boolean parallel;
    /** Threads a worker's scratch may borrow for one operation ({@link SpareThreads#NONE} if it is the only caller). */
    private final SpareThreads spare;
    /** Per-chunk class losses of {@link #workerElementwise}, reused. */
    private double[][] chunkClassLosses = new double[0][];

    private Scratch(boolean parallel, SpareThreads spare) {
      this.parallel = parallel;
      this.spare = Objects.requireNonNull(spare, "spare");
    }

    private double[][] chunkClassLosses(int chunks, int classes) {
      if (chunkClassLosses.length < chunks || chunkClassLosses[0].length != classes) {
        chunkClassLosses = new double[chunks][classes];
      } else {
        for (int c = 0; c < chunks; c++) {
          Arrays.fill(chunkClassLosses[c], 0);
        }
      }
      return chunkClassLosses;
    }

    /** Floats held by the logit buffers (for memory accounting and tests of reuse). */
    public long capacityFloats() {
      return (long) expert.length + gate.length;
    }

    private void ensure(int rows, int te, int tg) {
      long ne = (long) rows * te;
      long ng = (long) rows * tg;
      if (ng > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(rows + " rows × " + tg + " gate logits = " + ng
            + " floats, more than one array holds: use smaller batches");
      }
      if (expert.length < ne) {
        expert = new float[(int) ne];
      }
      if (gate.length < ng) {
        gate = new float[(int) ng];
      }
      if (ones.length < rows) {
        ones = new float[rows];
        Arrays.fill(ones, 1f);
      }
    }

    private RowBuffers takeRows(int te, int tg, int classes) {
      RowBuffers b = freeRows.poll();
      return b != null && b.holds(te, tg, classes) ? b : new RowBuffers(te, tg, classes);
    }

    private void giveRows(RowBuffers b) {
      freeRows.add(b);
    }
  }
}
