package org.vidar.model.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClassGroupsTest {

  /**
   * LPT by hand: order 0(5) 1(3) 2(3) 3(2) 4(1); 0→g0 (5), 1→g1 (3), 2→g1 (6), 3→g0 (7), 4→g1 (7).
   */
  @Test
  void handWorkedCase() {
    List<int[]> g = ClassGroups.balance(new int[] {5, 3, 3, 2, 1}, 2);
    assertEquals(2, g.size());
    assertArrayEquals(new int[] {0, 3}, g.get(0));
    assertArrayEquals(new int[] {1, 2, 4}, g.get(1));
    int[] costs = {5, 3, 3, 2, 1};
    for (int[] group : g) {
      int load = 0;
      for (int c : group) {
        load += costs[c];
      }
      assertEquals(7, load);
    }
  }

  @Test
  void tiesGoToLowerClassAndGroup() {
    List<int[]> g = ClassGroups.balance(new int[] {1, 1, 1, 1}, 2);
    assertArrayEquals(new int[] {0, 2}, g.get(0));
    assertArrayEquals(new int[] {1, 3}, g.get(1));
  }

  @Test
  void moreGroupsThanClassesGivesOneClassEach() {
    List<int[]> g = ClassGroups.balance(new int[] {2, 7, 1}, 10);
    assertEquals(3, g.size());
    assertArrayEquals(new int[] {1}, g.get(0));
    assertArrayEquals(new int[] {0}, g.get(1));
    assertArrayEquals(new int[] {2}, g.get(2));
    assertEquals(1, ClassGroups.balance(new int[] {4}, 3).size());
  }

  @Test
  void everyClassExactlyOnceAndDeterministic() {
    SplittableRandom r = new SplittableRandom(5);
    for (int trial = 0; trial < 50; trial++) {
      int k = 1 + r.nextInt(40);
      int groups = 1 + r.nextInt(12);
      int[] costs = new int[k];
      long total = 0;
      int maxCost = 0;
      for (int i = 0; i < k; i++) {
        costs[i] = 1 + r.nextInt(9);
        total += costs[i];
        maxCost = Math.max(maxCost, costs[i]);
      }
      List<int[]> g = ClassGroups.balance(costs, groups);
      assertTrue(g.size() <= Math.min(groups, k));
      assertEquals(Math.min(groups, k), g.size(), "LPT leaves no group empty when groups <= classes");
      int[] seen = new int[k];
      long maxLoad = 0;
      for (int[] group : g) {
        assertTrue(group.length > 0);
        long load = 0;
        for (int i = 0; i < group.length; i++) {
          seen[group[i]]++;
          load += costs[group[i]];
          if (i > 0) {
            assertTrue(group[i - 1] < group[i], "classes ascending within a group");
          }
        }
        maxLoad = Math.max(maxLoad, load);
      }
      for (int i = 0; i < k; i++) {
        assertEquals(1, seen[i], "class " + i);
      }
      // LPT bound: no group exceeds the mean load by more than the largest single cost.
      assertTrue(maxLoad <= total / (double) g.size() + maxCost);
      List<int[]> again = ClassGroups.balance(costs.clone(), groups);
      assertEquals(g.size(), again.size());
      for (int i = 0; i < g.size(); i++) {
        assertArrayEquals(g.get(i), again.get(i));
      }
    }
  }

  @Test
  void rejectsNonPositiveGroups() {
    assertThrows(IllegalArgumentException.class, () -> ClassGroups.balance(new int[] {1}, 0));
  }

  /** The default count follows the heads' gate columns only: one group per 1024, at least 1, at most one per class. */
  @Test
  void scheduledCountIsAMultipleOfTheWorkersWithinTheWidth() {
    assertEquals(2, ClassGroups.scheduledCount(ExpertAllocation.fixed(300, 4), 2), "1500 gates");
    assertEquals(2, ClassGroups.scheduledCount(ExpertAllocation.fixed(300, 8), 2), "2700 gates");
    assertEquals(1, ClassGroups.scheduledCount(ExpertAllocation.fixed(300, 8), 1));
    assertEquals(2, ClassGroups.scheduledCount(ExpertAllocation.fixed(300, 16), 2), "5100 gates: 2 groups");
    assertEquals(4, ClassGroups.scheduledCount(ExpertAllocation.fixed(600, 16), 2), "10200 gates: 3, so 4");
    assertEquals(3, ClassGroups.scheduledCount(ExpertAllocation.fixed(300, 16), 3));
    assertEquals(6, ClassGroups.scheduledCount(ExpertAllocation.fixed(3862, 4), 2), "19310 gates: 5, so 6");
    assertEquals(3, ClassGroups.scheduledCount(ExpertAllocation.fixed(3, 4), 8), "at most one per class");
    assertEquals(8, ClassGroups.scheduledCount(ExpertAllocation.fixed(300, 4), 8));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ClassGroups.scheduledCount(ExpertAllocation.fixed(3, 4), 0));
  }

  @Test
  void defaultCountDependsOnTheHeadsAlone() {
    assertEquals(1, ClassGroups.defaultCount(ExpertAllocation.fixed(10, 4)), "50 gates");
    assertEquals(6, ClassGroups.defaultCount(ExpertAllocation.fixed(300, 4)), "1500 gates");
    assertEquals(20, ClassGroups.defaultCount(ExpertAllocation.fixed(300, 16)), "5100 gates");
    assertEquals(257, ClassGroups.defaultCount(ExpertAllocation.fixed(3862, 16)), "65654 gates");
    assertEquals(2, ClassGroups.defaultCount(ExpertAllocation.of(1200, 1200)), "at most one group per class");
    assertEquals(1, ClassGroups.defaultCount(ExpertAllocation.of(255)), "exactly 256 gates");
    assertEquals(2, ClassGroups.defaultCount(ExpertAllocation.of(255, 1)), "258 gates");
    assertEquals(1, ClassGroups.defaultCount(ExpertAllocation.of(256)), "257 gates, but one class");
  }
}
