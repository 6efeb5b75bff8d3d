package org.vidar.model.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptive rule, the offsets and the validation of {@link ExpertAllocation}. */
class ExpertAllocationTest {
  /** 1000 positives per expert, 1 to 64 experts per class. */
  static final ExpertAllocation.AdaptiveRule RULE = new ExpertAllocation.AdaptiveRule(1000, 1, 64);

  @Test
  void adaptiveRuleRoundsUpAndClamps() {
    ExpertAllocation.AdaptiveRule rule = RULE;
    assertEquals(1, rule.experts(0));
    assertEquals(1, rule.experts(1));
    assertEquals(1, rule.experts(1000));
    assertEquals(2, rule.experts(1001));
    assertEquals(16, rule.experts(16_000));
    assertEquals(64, rule.experts(10_000_000_000L));
    ExpertAllocation.AdaptiveRule r2 = new ExpertAllocation.AdaptiveRule(10, 2, 5);
    assertEquals(2, r2.experts(0));
    assertEquals(3, r2.experts(21));
    assertEquals(5, r2.experts(1000));
  }

  @Test
  void adaptiveOffsets() {
    ExpertAllocation a = ExpertAllocation.adaptive(new long[] {0, 2500, 999, 64_000_000}, RULE);
    assertArrayEquals(new int[] {1, 3, 1, 64}, a.expertsPerClass());
    assertEquals(4, a.numClasses());
    assertEquals(69, a.totalExperts());
    assertEquals(73, a.totalGates());
    assertEquals(64, a.maxExperts());
    int[] eo = {0, 1, 4, 5, 69};
    int[] go = {0, 2, 6, 8, 73};
    for (int k = 0; k <= 4; k++) {
      assertEquals(eo[k], a.expertOffset(k));
      assertEquals(go[k], a.gateOffset(k));
    }
  }

  @Test
  void fixedAndSelect() {
    ExpertAllocation f = ExpertAllocation.fixed(3862, 16);
    assertEquals(3862 * 16, f.totalExperts());
    assertEquals(3862 * 17, f.totalGates());
    ExpertAllocation a = ExpertAllocation.of(1, 3, 1, 3);
    ExpertAllocation g = a.select(new int[] {3, 0});
    assertEquals(ExpertAllocation.of(3, 1), g);
    assertEquals(6, g.totalGates());
  }

  @Test
  void validation() {
    assertThrows(IllegalArgumentException.class, () -> ExpertAllocation.of());
    assertThrows(IllegalArgumentException.class, () -> ExpertAllocation.of(1, 0));
    assertThrows(IllegalArgumentException.class, () -> ExpertAllocation.fixed(0, 3));
    assertThrows(IllegalArgumentException.class, () -> new ExpertAllocation.AdaptiveRule(0, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> new ExpertAllocation.AdaptiveRule(10, 0, 2));
    assertThrows(IllegalArgumentException.class, () -> new ExpertAllocation.AdaptiveRule(10, 3, 2));
    assertThrows(IllegalArgumentException.class, () -> ExpertAllocation.adaptive(new long[] {5, -1}, RULE));
    assertThrows(IllegalArgumentException.class, () -> ExpertAllocation.of(1, 2).select(new int[] {2}));
    int[] copy = {2, 2};
    ExpertAllocation a = ExpertAllocation.of(copy);
    copy[0] = 7;
    assertEquals(2, a.experts(0));
  }

  @Test
  void overflowIsReportedClearly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ExpertAllocation.fixed(100_000, 30_000));
    assertTrue(e.getMessage().contains("overflows an int"), e.getMessage());
  }
}
