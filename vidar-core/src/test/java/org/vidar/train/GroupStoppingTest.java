package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each group's best pass, gains and patience, worked by hand. */
class GroupStoppingTest {
  @Test
  void eachGroupKeepsItsOwnBestAndPatience() {
    GroupStopping s = new GroupStopping(3, 2, 0.01);
    boolean[] improved = new boolean[3];
    // group 0 keeps falling; group 1 rises after pass 0; group 2 falls by less than 1 % after pass 1
    double[][] held = {
        {10.0, 10.0, 10.0},
        {9.0, 10.5, 9.0},
        {8.0, 11.0, 8.95},
        {7.0, 9.9, 8.92},
        {6.0, 9.8, 8.85},
    };
    s.offer(0, held[0], improved);
    assertArrayEquals(new boolean[] {true, true, true}, improved, "the first pass is everyone's best");
    s.offer(1, held[1], improved);
    assertArrayEquals(new boolean[] {true, false, true}, improved);
    s.offer(2, held[2], improved);
    assertArrayEquals(new boolean[] {true, false, true}, improved, "8.95 is a best, though not a gain");
    assertTrue(s.done(1), "group 1: two passes since its gain at pass 0");
    assertFalse(s.done(0));
    assertFalse(s.done(2), "group 2: its last gain was pass 1");
    s.offer(3, held[3], improved);
    assertArrayEquals(new boolean[] {true, false, true}, improved, "a done group takes no offer (9.9 < 10)");
    assertTrue(s.done(2), "group 2: 8.92 is within 1 % of 9.0, two passes since pass 1");
    assertFalse(s.allDone());
    s.offer(4, held[4], improved);
    assertArrayEquals(new boolean[] {true, false, false}, improved);
    assertEquals(4, s.bestPass(0));
    assertEquals(0, s.bestPass(1));
    assertEquals(3, s.bestPass(2));
    assertFalse(s.allDone());
  }

  @Test
  void allDoneWhenEveryGroupSpentItsPatience() {
    GroupStopping s = new GroupStopping(2, 1, 0);
    boolean[] improved = new boolean[2];
    s.offer(0, new double[] {1, 1}, improved);
    assertFalse(s.allDone());
    s.offer(1, new double[] {0.5, 1}, improved);
    assertTrue(s.done(1));
    assertFalse(s.allDone());
    s.offer(2, new double[] {0.5, 0}, improved);
    assertTrue(s.allDone());
    assertEquals(1, s.bestPass(0));
    assertEquals(0, s.bestPass(1), "a done group takes no offer");
    assertTrue(new GroupStopping(0, 1, 0).allDone(), "no groups");
    assertEquals(-1, new GroupStopping(1, 1, 0).bestPass(0));
    assertThrows(IllegalArgumentException.class, () -> new GroupStopping(1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new GroupStopping(1, 1, Double.NaN));
  }
}
