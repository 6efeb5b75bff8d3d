package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VideoIdsTest {
  private static final long FOUR_CHAR = 62L * 62 * 62 * 62;

  @Test
  void idsAreUniqueAcrossTheFirstIndicesAndTheLengthBoundary() {
    Set<String> seen = new HashSet<>();
    for (long i = 0; i < 200_000; i++) {
      assertTrue(seen.add(VideoIds.id(9, i)), "duplicate at " + i);
    }
    for (long i = FOUR_CHAR - 50_000; i < FOUR_CHAR + 50_000; i++) {
      assertTrue(seen.add(VideoIds.id(9, i)), "duplicate at " + i);
    }
  }

  @Test
  void lengthGrowsPastTheFourCharacterBlock() {
    assertEquals(4, VideoIds.id(1, 0).length());
    assertEquals(4, VideoIds.id(1, FOUR_CHAR - 1).length());
    assertEquals(5, VideoIds.id(1, FOUR_CHAR).length());
    assertEquals(10, VideoIds.id(1, VideoIds.MAX_INDEX - 1).length());
    assertTrue(VideoIds.id(1, 12345).matches("[0-9A-Za-z]{4}"));
  }

  @Test
  void idsDependOnSeedAndAreStable() {
    assertEquals(VideoIds.id(3, 77), VideoIds.id(3, 77));
    assertNotEquals(VideoIds.id(3, 77), VideoIds.id(4, 77));
    assertNotEquals(VideoIds.id(3, 77), VideoIds.id(3, 78));
  }

  @Test
  void rejectsIndicesWithoutAnId() {
    assertThrows(IllegalArgumentException.class, () -> VideoIds.id(1, -1));
    assertThrows(IllegalArgumentException.class, () -> VideoIds.id(1, VideoIds.MAX_INDEX));
  }
}
