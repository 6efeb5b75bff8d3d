package org.vidar.data;

/**
 * Well-formed UTF-8 as the Unicode standard defines it (table 3-7): no overlong forms, no surrogates,
 * nothing past U+10FFFF. protobuf refuses a string field (map keys among them) that is not.
 */
final class Utf8 {
  private Utf8() {}

  /** Whether {@code b[from .. to)} is well-formed UTF-8. */
  static boolean isValid(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] >= 0) {
      i++;
    }
    while (i < to) {
      int c = b[i++] & 0xff;
      if (c < 0x80) {
        continue;
      }
      int trailing;
      int lo = 0x80;
      int hi = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) {
        trailing = 1;
      } else if (c >= 0xe0 && c <= 0xef) {
        trailing = 2;
        if (c == 0xe0) {
          lo = 0xa0;
        } else if (c == 0xed) {
          hi = 0x9f;
        }
      } else if (c >= 0xf0 && c <= 0xf4) {
        trailing = 3;
        if (c == 0xf0) {
          lo = 0x90;
        } else if (c == 0xf4) {
          hi = 0x8f;
        }
      } else {
        return false;
      }
      if (to - i < trailing) {
        return false;
      }
      int second = b[i] & 0xff;
      if (second < lo || second > hi) {
        return false;
      }
      for (int k = 1; k < trailing; k++) {
        int t = b[i + k] & 0xff;
        if (t < 0x80 || t > 0xbf) {
          return false;
        }
      }
      i += trailing;
    }
    return true;
  }
}
