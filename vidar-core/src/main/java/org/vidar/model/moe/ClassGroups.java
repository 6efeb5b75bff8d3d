package org.vidar.model.moe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Splits the classes into groups of about equal training cost for Stage 1, where each worker owns
 * one group's heads. A class costs its number of experts (every video is scored by every expert, so
 * experts × videos is the work; the video count is the same for all classes). Greedy
 * longest-processing-time assignment: classes by cost descending, each to the lightest group so
 * far; ties by lower class index and lower group index, so the split is deterministic. Within a
 * group the classes are listed in ascending order.
 */
public final class ClassGroups {
  /**
   * Gate columns per class group when the count is not given. With Adam a group is the classes
   * that stop together, and the workers' tasks each take several groups in one set of GEMMs (see
   * {@link #scheduledCount}); groups this small spread evenly over the workers. At 20,000 videos, 300
   * classes of 4 experts (1,500 gates), groups of 256 and of 1,024 gates gave GAP 0.8641 and 0.8647; YouTube-8M's
   * 3,862 classes make 76 groups.
   */
  public static final int DEFAULT_GATES_PER_GROUP = 256;

  private ClassGroups() {}

  /**
   * The number of class groups for heads of {@code allocation} when none is given: one per
   * {@link #DEFAULT_GATES_PER_GROUP} gate columns, at least 1, at most one per class. It depends on
   * the heads alone, never on the machine, so the same command trains the same model anywhere.
   */
  public static int defaultCount(ExpertAllocation allocation) {
    long groups = (allocation.totalGates() + (long) DEFAULT_GATES_PER_GROUP - 1) / DEFAULT_GATES_PER_GROUP;
    return (int) Math.max(1, Math.min(allocation.numClasses(), groups));
  }

  /**
   * Gate columns a task of Stage 1 by Adam may hold (it trains one or more whole class groups in one
   * set of GEMMs): tasks this wide still keep their work area small (a batch of 1,024 videos ×
   * 4,096 gates is 16 MB of logits), and wider GEMMs run closer to sgemm's peak.
   */
  public static final int MAX_GATES_PER_TASK = 4096;

  /**
   * The number of tasks Stage 1 by Adam spreads its class groups over: the fewest that keep every
   * task within {@link #MAX_GATES_PER_TASK} gate columns, rounded up to a multiple of
   * {@code workers} so that every worker has as much to do, at most one per class. Where the work
   * runs, not what it computes.
   */
  public static int scheduledCount(ExpertAllocation allocation, int workers) {
    if (workers <= 0) {
      throw new IllegalArgumentException("workers must be positive, got " + workers);
    }
    long needed = (allocation.totalGates() + (long) MAX_GATES_PER_TASK - 1) / MAX_GATES_PER_TASK;
    long groups = (Math.max(1, needed) + workers - 1) / workers * workers;
    return (int) Math.max(1, Math.min(allocation.numClasses(), groups));
  }

  /** At most {@code groups} non-empty groups of class indices; {@code experts[k]} is class k's cost. */
  public static List<int[]> balance(int[] experts, int groups) {
    if (groups <= 0) {
      throw new IllegalArgumentException("groups must be positive, got " + groups);
    }
    int k = experts.length;
    int g = Math.min(groups, Math.max(1, k));
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer>comparingInt(c -> experts[c]).reversed().thenComparingInt(c -> c));
    long[] load = new long[g];
    List<List<Integer>> members = new ArrayList<>();
    for (int i = 0; i < g; i++) {
      members.add(new ArrayList<>());
    }
    PriorityQueue<Integer> lightest = new PriorityQueue<>(
        Comparator.<Integer>comparingLong(i -> load[i]).thenComparingInt(i -> i));
    for (int i = 0; i < g; i++) {
      lightest.add(i);
    }
    for (int c : order) {
      int target = lightest.poll();
      members.get(target).add(c);
      load[target] += experts[c];
      lightest.add(target);
    }
    List<int[]> out = new ArrayList<>();
    for (List<Integer> m : members) {
      if (!m.isEmpty()) {
        out.add(m.stream().mapToInt(Integer::intValue).sorted().toArray());
      }
    }
    return out;
  }
}
