package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopClassesTest {

  /** The reference: a stable sort of all classes by descending score. */
  static int[] sorted(float[] s, int offset, int n, int k) {
    return IntStream.range(0, n).boxed()
        .sorted(Comparator.comparing((Integer c) -> -s[offset + c]))
        .limit(k).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void handWorkedTiesGoToTheLowerClass() {
    float[] s = {0.5f, 0.9f, 0.5f, 0.1f, 0.9f};
    int[] c = new int[3];
    float[] b = new float[3];
    assertEquals(3, TopClasses.select(s, 0, 5, 3, c, b));
    assertArrayEquals(new int[] {1, 4, 0}, c);
    assertArrayEquals(new float[] {0.9f, 0.9f, 0.5f}, b);
    // k above n gives all n
    int[] all = new int[8];
    assertEquals(5, TopClasses.select(s, 0, 5, 8, all, new float[8]));
    assertArrayEquals(new int[] {1, 4, 0, 2, 3}, Arrays.copyOf(all, 5));
  }

  @Test
  void matchesAStableSortOnRandomScoresWithTies() {
    SplittableRandom r = new SplittableRandom(4);
    for (int t = 0; t < 300; t++) {
      int n = 1 + r.nextInt(60);
      int k = 1 + r.nextInt(25);
      int offset = r.nextInt(5);
      float[] s = new float[offset + n];
      for (int i = 0; i < s.length; i++) {
        s[i] = r.nextInt(8) / 8f; // coarse values: many ties
      }
      int[] c = new int[k];
      float[] b = new float[k];
      int m = TopClasses.select(s, offset, n, k, c, b);
      int[] expected = sorted(s, offset, n, k);
      assertArrayEquals(expected, Arrays.copyOf(c, m), "trial " + t);
      for (int i = 0; i < m; i++) {
        assertEquals(s[offset + c[i]], b[i]);
      }
    }
  }

  @Test
  void mergingGroupListsGivesTheTopOfAll() {
    SplittableRandom r = new SplittableRandom(5);
    for (int t = 0; t < 200; t++) {
      int n = 2 + r.nextInt(50);
      int k = 1 + r.nextInt(10);
      float[] s = new float[n];
      for (int i = 0; i < n; i++) {
        s[i] = r.nextInt(6) / 6f;
      }
      // Split the classes into interleaved groups; each group keeps its own top k.
      int groups = 1 + r.nextInt(4);
      int[] candidates = new int[groups * k];
      float[] scores = new float[groups * k];
      int count = 0;
      for (int g = 0; g < groups; g++) {
        int group = g;
        int[] members = IntStream.range(0, n).filter(c -> c % groups == group).toArray();
        float[] local = new float[members.length];
        for (int i = 0; i < members.length; i++) {
          local[i] = s[members[i]];
        }
        int[] c = new int[k];
        float[] b = new float[k];
        int m = TopClasses.select(local, 0, members.length, k, c, b);
        for (int i = 0; i < m; i++) {
          candidates[count] = members[c[i]];
          scores[count++] = b[i];
        }
      }
      int[] top = new int[k];
      float[] best = new float[k];
      int m = TopClasses.merge(candidates, scores, count, k, top, best);
      assertArrayEquals(sorted(s, 0, n, k), Arrays.copyOf(top, m), "trial " + t);
    }
  }
}
