package org.vidar.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sgemm probe's measurement, and when and how it warns. */
class SgemmProbeTest {

  @Test
  void measuresAPositiveFiniteSpeedOnTheJvmsKernels() {
    SgemmProbe.Result r = SgemmProbe.measure(KernelProvider.get());
    assertTrue(Double.isFinite(r.gflops()) && r.gflops() > 0, "GFLOP/s " + r.gflops());
    assertTrue(r.repetitions() >= 1 && r.repetitions() <= 5, "repetitions " + r.repetitions());
    assertEquals(VectorIsa.detect(), r.isa());
  }

  @Test
  void measuresThePlainJavaKernelsToo() {
    SgemmProbe.Result r = SgemmProbe.measure(new JavaKernels(), VectorIsa.OTHER);
    assertTrue(Double.isFinite(r.gflops()) && r.gflops() > 0, "GFLOP/s " + r.gflops());
    assertFalse(r.farBelowFloor(), "no floor without AVX2+FMA");
  }

  @Test
  void warnsOnlyFarBelowTheFloorAndSaysWhatToDo() {
    assertEquals(Optional.empty(), SgemmProbe.warning(new SgemmProbe.Result(120, 5, VectorIsa.AVX512F), true, "auto"));
    assertEquals(Optional.empty(), SgemmProbe.warning(new SgemmProbe.Result(25, 5, VectorIsa.AVX2_FMA), true, "auto"));
    assertEquals(Optional.empty(), SgemmProbe.warning(new SgemmProbe.Result(0.5, 5, VectorIsa.OTHER), false, "auto"));

    String java = SgemmProbe.warning(new SgemmProbe.Result(4.5, 2, VectorIsa.AVX512F), false, "auto").orElseThrow();
    assertTrue(java.startsWith("sgemm 4.5 GFLOP/s is far below the 40 one AVX-512F core should give"), java);
    assertTrue(java.contains("no native BLAS"), java);

    String prescott = SgemmProbe.warning(new SgemmProbe.Result(28, 5, VectorIsa.AVX512F), true, "auto").orElseThrow();
    assertTrue(prescott.contains("OPENBLAS_CORETYPE=SkylakeX"), prescott);

    String forced = SgemmProbe.warning(new SgemmProbe.Result(12, 5, VectorIsa.AVX2_FMA), true, "Prescott").orElseThrow();
    assertTrue(forced.contains("OPENBLAS_CORETYPE=Prescott") && forced.contains("set Haswell"), forced);
    assertFalse(forced.contains("\n"), "one line");
  }

  @Test
  void readsTheVectorInstructionsFromCpuFlags() {
    assertEquals(VectorIsa.AVX512F, VectorIsa.fromFlags(" fpu sse2 avx avx2 fma avx512f avx512dq "));
    assertEquals(VectorIsa.AVX2_FMA, VectorIsa.fromFlags("fpu sse2 avx fma avx2"));
    assertEquals(VectorIsa.OTHER, VectorIsa.fromFlags("fpu sse2 avx avx2"), "AVX2 without FMA");
    assertEquals(VectorIsa.OTHER, VectorIsa.fromFlags(""));
    assertEquals(40, VectorIsa.AVX512F.floorGflops());
    assertEquals(20, VectorIsa.AVX2_FMA.floorGflops());
  }
}
