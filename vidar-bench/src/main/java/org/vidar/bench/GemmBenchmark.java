package org.vidar.bench;

import dev.ludovic.netlib.blas.JavaBLAS;
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
import org.openjdk.jmh.annotations.Warmup;
import org.vidar.math.BundledOpenBlas;
import org.vidar.math.JavaKernels;
import org.vidar.math.Kernels;
import org.vidar.math.NetlibKernels;

/**
 * Square single-precision GEMM, C = A·B (no transposes), n×n×n, through each {@link Kernels}
 * implementation, so the plain-Java kernels are reported as a ratio to native BLAS in the same run.
 * One operation is one product of 2·n³ flops: GFLOP/s = 2·n³·(ops/s) / 1e9.
 *
 * <p>{@code netlib} is netlib's default backend as Vidar sets it up (JNIBLAS → the bundled OpenBLAS on
 * Linux x86-64, or the system's {@code libblas.so.3} with {@code -Dvidar.blas=system}; its pure-Java
 * fallback without a native library); {@code netlib-java} forces
 * netlib's pure-Java BLAS for comparison with ours (slow: pick small sizes with {@code -p size=256}).
 *
 * <p>Run: {@code java -cp vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt)
 * org.openjdk.jmh.Main GemmBenchmark -wi 2 -w 2 -i 3 -r 2 -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GemmBenchmark {

  @Param({"java", "netlib"})
  public String implementation;

  @Param({"256", "1024", "2048"})
  public int size;

  private Kernels kernels;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup(Level.Trial)
  public void setUp() {
    switch (implementation) {
      case "java":
        kernels = new JavaKernels();
        break;
      case "netlib":
        kernels = new NetlibKernels();
        break;
      case "netlib-java":
        kernels = new NetlibKernels(JavaBLAS.getInstance());
        break;
      default:
        throw new IllegalArgumentException("implementation must be java, netlib or netlib-java, got "
            + implementation);
    }
    // Long: 2·n³ overflows an int from n = 1025 on.
    long flops = 2L * size * size * size;
    String library = implementation.equals("netlib") && ((NetlibKernels) kernels).isNative()
        ? " on " + BundledOpenBlas.install().withLoadedVersion().describe() : "";
    System.out.println("# kernels: " + kernels.name() + library + ", " + flops + " flop per op");
    SplittableRandom random = new SplittableRandom(42);
    int elements = size * size;
    a = new float[elements];
    b = new float[elements];
    c = new float[elements];
    for (int i = 0; i < elements; i++) {
      a[i] = (float) (random.nextDouble() - 0.5);
      b[i] = (float) (random.nextDouble() - 0.5);
    }
  }

  @Benchmark
  public float[] sgemm() {
    kernels.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
    return c;
  }
}
