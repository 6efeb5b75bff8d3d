package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExcerptTest {
  @Test
  void aShortStringIsQuotedWhole() {
    assertEquals("'t000'", Excerpt.of("t000"));
    assertEquals("''", Excerpt.of(""));
    assertEquals("null", Excerpt.of(null));
    String forty = "a".repeat(Excerpt.KEPT);
    assertEquals("'" + forty + "'", Excerpt.of(forty));
  }

  @Test
  void aLongStringKeepsItsStartAndGivesItsLength() {
    String huge = "abc" + "x".repeat(200_000_000 - 3);
    String e = Excerpt.of(huge);
    assertEquals("'abc" + "x".repeat(Excerpt.KEPT - 3) + "…' (200000000 chars)", e);
  }

  @Test
  void controlCharactersAreEscapedAndNoCharacterIsCutInHalf() {
    assertEquals("'a\\nb\\r\\tc\\u0000'", Excerpt.of("a\nb\r\tc\0"));
    String emoji = "\uD83D\uDE00"; // one character, two chars
    String s = "a".repeat(Excerpt.KEPT - 1) + emoji + "tail";
    assertEquals("'" + "a".repeat(Excerpt.KEPT - 1) + "…' (" + s.length() + " chars)", Excerpt.of(s));
  }
}
