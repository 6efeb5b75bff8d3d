package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrameSamplerTest {

  @Test
  void withoutReplacementWhenThereAreEnoughFrames() {
    SplittableRandom r = new SplittableRandom(1);
    for (int n : new int[] {1, 5, 13, 300}) {
      for (int k : new int[] {1, 5, 13}) {
        if (k > n) {
          continue;
        }
        int[] s = FrameSampler.sample(n, k, r);
        assertEquals(k, s.length);
        for (int i = 0; i < k; i++) {
          assertTrue(s[i] >= 0 && s[i] < n);
          if (i > 0) {
            assertTrue(s[i] > s[i - 1], "sorted and distinct");
          }
        }
      }
    }
    int[] all = FrameSampler.sample(6, 6, r);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, all);
  }

  @Test
  void withReplacementWhenFramesAreFewer() {
    SplittableRandom r = new SplittableRandom(2);
    int[] s = FrameSampler.sample(3, 20, r);
    assertEquals(20, s.length);
    boolean repeats = false;
    for (int i = 1; i < s.length; i++) {
      assertTrue(s[i] >= s[i - 1], "sorted");
      repeats |= s[i] == s[i - 1];
    }
    assertTrue(repeats && s[0] >= 0 && s[19] < 3);
    assertArrayEquals(new int[] {0, 0, 0}, FrameSampler.sample(1, 3, r));
  }

  @Test
  void deterministicForTheGenerator() {
    assertArrayEquals(FrameSampler.sample(300, 13, new SplittableRandom(9)),
        FrameSampler.sample(300, 13, new SplittableRandom(9)));
    assertArrayEquals(FrameSampler.sample(5, 13, new SplittableRandom(9)),
        FrameSampler.sample(5, 13, new SplittableRandom(9)));
  }

  @Test
  void everyFrameEquallyLikely() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 10;
    int k = 3;
    int draws = 20_000;
    int[] counts = new int[n];
    for (int i = 0; i < draws; i++) {
      for (int t : FrameSampler.sample(n, k, r)) {
        counts[t]++;
      }
    }
    double expected = (double) draws * k / n; // 6000, standard deviation ~65
    for (int t = 0; t < n; t++) {
      assertEquals(expected, counts[t], 400, "frame " + t);
    }
  }

  @Test
  void edgeCases() {
    SplittableRandom r = new SplittableRandom(4);
    assertEquals(0, FrameSampler.sample(0, 0, r).length);
    assertEquals(0, FrameSampler.sample(5, 0, r).length);
    assertThrows(IllegalArgumentException.class, () -> FrameSampler.sample(0, 1, r));
    assertThrows(IllegalArgumentException.class, () -> FrameSampler.sample(5, -1, r));
  }
}
