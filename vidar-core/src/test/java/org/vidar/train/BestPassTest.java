package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BestPassTest {
  /** Patience counts from the best pass. */
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
}
