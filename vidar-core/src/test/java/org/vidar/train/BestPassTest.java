package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BestPassTest {
  /** Without a tolerance, patience counts from the best pass, and every new best is a gain. */
  @Test
  void patienceCountsFromTheBestPass() {
    BestPass b = new BestPass(2);
    assertTrue(b.offer(0, -3.0, 3.0, new float[] {0}));
    assertTrue(b.offer(1, -2.0, 2.0, new float[] {1}));
    assertFalse(b.offer(2, -2.5, 2.5, new float[] {2}));
    assertFalse(b.patienceSpent(2));
    assertFalse(b.offer(3, -2.1, 2.1, new float[] {3}));
    assertTrue(b.patienceSpent(3));
    assertEquals(2.0, b.loss());
    assertArrayEquals(new float[] {1}, b.params(0));
  }

  /**
   * With a tolerance, a pass that beats the best by less than that fraction of its magnitude is
   * kept as the best (offer says so) but is no gain: patience goes on counting from the last gain.
   */
  @Test
  void smallImprovementsAreKeptButDoNotResetThePatience() {
    BestPass b = new BestPass(2, 0.01);
    assertTrue(b.offer(0, -2.0, 2.0, new float[] {0}));
    assertTrue(b.offer(1, -1.99, 1.99, new float[] {1}), "a new best, but 0.5 % lower is no gain");
    assertFalse(b.patienceSpent(1));
    assertTrue(b.offer(2, -1.985, 1.985, new float[] {2}), "0.75 % below the last gain is none either");
    assertTrue(b.patienceSpent(2));
    assertEquals(1.985, b.loss(), "the best pass is still the lowest");
    assertArrayEquals(new float[] {2}, b.params(0));
    assertTrue(b.offer(3, -1.9, 1.9, new float[] {3}), "5 % lower is a gain");
    assertFalse(b.patienceSpent(3));
  }
}
