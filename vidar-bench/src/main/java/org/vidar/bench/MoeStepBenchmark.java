package org.vidar.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;
import org.vidar.model.param.ParameterLayout;

/**
 * One training step of the MoE heads (forward, loss and backward including dEmb) for the
 * video-level model with a depth-0 trunk: K classes with E experts each over H = 1152 inputs, a
 * batch of B rows; {@code gemms} runs only the six GEMMs of the same shapes, so the share of time
 * outside the GEMMs is {@code 1 − t(gemms)/t(step)}, measured in the same run.
 *
 * <p>Flops (GEMMs only; the bias sums and the element-wise pass are not counted), with
 * {@code N = ΣE_k + Σ(E_k+1) = K·(2E+1)}: forward {@code 2·B·H·N}, backward twice that (dW and
 * dEmb), a step {@code 6·B·H·N} — 901.6 GFLOP at K=3862, E=16, H=1152, B=1024. GFLOP/s =
 * {@code 6·B·H·N / (seconds per op) / 1e9}; the fraction of peak is that divided by the machine's
 * sgemm peak from {@link GemmBenchmark} (netlib, size 2048) on the same machine, or, without a
 * second run, by {@code gemms}' own rate here (the best these shapes reach through this BLAS).
 *
 * <p>The step's kernels are wrapped in a stopwatch ({@link TimedKernels}), so the teardown also
 * prints, after each iteration, the share of {@code step}'s wall time spent outside the GEMMs, within the same
 * invocations (robust to other load on the machine, unlike a difference of two scores).
 *
 * <p>Run: {@code java -Xmx12g -cp vidar-bench/target/classes:$(cat
 * vidar-bench/target/runtime-classpath.txt) org.openjdk.jmh.Main MoeStepBenchmark -wi 1 -i 3 -f 1};
 * quick: add {@code -p batch=128 -p classes=500}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g"})
public class MoeStepBenchmark {

  @Param({"netlib"})
  public String implementation;

  @Param({"3862"})
  public int classes;

  @Param({"16"})
  public int experts;

  @Param({"1152"})
  public int hidden;

  @Param({"1024"})
  public int batch;

  private MoeHeads heads;
  private MoeHeads.Scratch scratch;
  private Kernels kernels;
  private float[] params;
  private float[] grad;
  private float[] emb;
  private float[] dEmb;
  private int[] labels;
  private int[] labelOffsets;
  private float[] expertOut;
  private float[] gateOut;
  private TimedKernels timed;
  private long stepNanos;
  private long steps;

  @Setup(Level.Trial)
  public void setUp() {
    kernels = KernelProvider.select(implementation);
    timed = new TimedKernels(kernels);
    ParameterLayout.Builder layout = ParameterLayout.builder();
    heads = new MoeHeads("heads", hidden, ExpertAllocation.fixed(classes, experts), layout, timed);
    params = new float[layout.build().size()];
    grad = new float[params.length];
    SplittableRandom random = new SplittableRandom(42);
    heads.initialize(params, random);
    emb = new float[batch * hidden];
    for (int i = 0; i < emb.length; i++) {
      emb[i] = (float) (random.nextDouble() * 2 - 1);
    }
    dEmb = new float[emb.length];
    // About 3 labels per video, as in YouTube-8M.
    labelOffsets = new int[batch + 1];
    labels = new int[batch * 3];
    for (int r = 0; r < batch; r++) {
      for (int j = 0; j < 3; j++) {
        labels[r * 3 + j] = random.nextInt(classes);
      }
      labelOffsets[r + 1] = (r + 1) * 3;
    }
    scratch = heads.newScratch();
    int te = heads.allocation().totalExperts();
    int tg = heads.allocation().totalGates();
    expertOut = new float[batch * te];
    gateOut = new float[batch * tg];
    long flops = 3 * heads.forwardFlops(batch);
    System.out.println("# kernels: " + kernels.name() + ", " + heads.allocation() + ", "
        + flops + " GEMM flop per step (GFLOP/s = " + flops / 1e6 + " / ms per op)");
  }

  @Benchmark
  public double step() {
    long t0 = System.nanoTime();
    double loss = heads.lossAndBackward(params, emb, batch, labels, labelOffsets, dEmb, grad, scratch);
    stepNanos += System.nanoTime() - t0;
    steps++;
    return loss;
  }

  @Setup(Level.Iteration)
  public void resetClocks() {
    stepNanos = 0;
    steps = 0;
    timed.nanos = 0;
    timed.vectorNanos = 0;
  }

  @TearDown(Level.Iteration)
  public void report() {
    if (steps == 0) {
      return;
    }
    double flops = 3.0 * heads.forwardFlops(batch);
    double gemm = timed.nanos / 1e9;
    double biasSums = timed.vectorNanos / 1e9;
    double total = stepNanos / 1e9;
    System.out.printf("%n# %d steps: %.3f s/step, %.1f GFLOP/s overall;"
        + " big GEMMs %.3f s/step (%.1f GFLOP/s), bias sums %.3f s/step,"
        + " outside all GEMMs %.3f s/step = %.1f%% of the step%n",
        steps, total / steps, flops * steps / total / 1e9, gemm / steps, flops * steps / gemm / 1e9,
        biasSums / steps, (total - gemm - biasSums) / steps,
        100 * (total - gemm - biasSums) / total);
  }

  /** Kernels that add the wall time of each sgemm to a counter (m == 1 calls, the bias sums, apart). */
  static final class TimedKernels implements Kernels {
    private final Kernels inner;
    long nanos;
    long vectorNanos;

    TimedKernels(Kernels inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
        float beta, float[] c, int cOff, int ldc) {
      long t0 = System.nanoTime();
      inner.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      long dt = System.nanoTime() - t0;
      if (m == 1) {
        vectorNanos += dt;
      } else {
        nanos += dt;
      }
    }
  }

  @Benchmark
  public float[] gemms() {
    int h = hidden;
    int te = heads.allocation().totalExperts();
    int tg = heads.allocation().totalGates();
    int we = heads.expertWeights().offset();
    int wg = heads.gateWeights().offset();
    kernels.sgemm(false, false, batch, te, h, 1f, emb, 0, h, params, we, te, 0f, expertOut, 0, te);
    kernels.sgemm(false, false, batch, tg, h, 1f, emb, 0, h, params, wg, tg, 0f, gateOut, 0, tg);
    kernels.sgemm(true, false, h, te, batch, 1f, emb, 0, h, expertOut, 0, te, 1f, grad, we, te);
    kernels.sgemm(true, false, h, tg, batch, 1f, emb, 0, h, gateOut, 0, tg, 1f, grad, wg, tg);
    kernels.sgemm(false, true, batch, h, te, 1f, expertOut, 0, te, params, we, te, 0f, dEmb, 0, h);
    kernels.sgemm(false, true, batch, h, tg, 1f, gateOut, 0, tg, params, wg, tg, 1f, dEmb, 0, h);
    return dEmb;
  }
}
