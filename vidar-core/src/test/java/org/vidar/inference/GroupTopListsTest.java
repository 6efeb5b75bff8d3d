package org.vidar.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The intermediate file of scoring by class groups: round trip, the documented bytes, damage named. */
class GroupTopListsTest {

  static byte[] write(String[] ids, int[][] classes, float[][] scores) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    GroupTopLists.Writer w = new GroupTopLists.Writer(out);
    for (int v = 0; v < ids.length; v++) {
      w.video(ids[v], classes[v], scores[v], classes[v].length);
    }
    w.flush();
    return out.toByteArray();
  }

  @Test
  void roundTrip() throws IOException {
    String[] ids = {"vid-1", "é✓", "empty"};
    int[][] classes = {{4, 0, 2}, {1}, {}};
    float[][] scores = {{0.9f, 0.5f, 0.25f}, {Float.MIN_VALUE}, {}};
    GroupTopLists.Reader r = new GroupTopLists.Reader(new ByteArrayInputStream(write(ids, classes, scores)), "g", 5,
        3);
    int[] c = new int[8];
    float[] s = new float[8];
    for (int v = 0; v < ids.length; v++) {
      assertTrue(r.next());
      assertEquals(ids[v], r.id());
      assertEquals(classes[v].length, r.count());
      int n = r.copyTo(c, s, 1);
      assertArrayEquals(classes[v], Arrays.copyOfRange(c, 1, 1 + n));
      assertArrayEquals(scores[v], Arrays.copyOfRange(s, 1, 1 + n));
    }
    assertFalse(r.next());
  }

  /** The bytes are those the class comment documents: writeUTF id, short count, (int, float) pairs, big-endian. */
  @Test
  void bytesAsDocumented() throws IOException {
    byte[] b = write(new String[] {"ab"}, new int[][] {{3, 1}}, new float[][] {{0.5f, 0.25f}});
    ByteBuffer want = ByteBuffer.allocate(2 + 2 + 2 + 2 * 8);
    want.putShort((short) 2).put("ab".getBytes(StandardCharsets.UTF_8)).putShort((short) 2);
    want.putInt(3).putFloat(0.5f).putInt(1).putFloat(0.25f);
    assertArrayEquals(want.array(), b);
  }

  @Test
  void damageIsNamed() throws IOException {
    byte[] good = write(new String[] {"v"}, new int[][] {{3, 1}}, new float[][] {{0.5f, 0.25f}});
    IOException truncated = assertThrows(IOException.class, () -> new GroupTopLists.Reader(
        new ByteArrayInputStream(Arrays.copyOf(good, good.length - 3)), "part-1.bin", 5, 2).next());
    assertTrue(truncated.getMessage().contains("part-1.bin") && truncated.getMessage().contains("truncated"),
        truncated.getMessage());
    IOException outside = assertThrows(IOException.class,
        () -> new GroupTopLists.Reader(new ByteArrayInputStream(good), "part-2.bin", 3, 2).next());
    assertTrue(outside.getMessage().contains("part-2.bin") && outside.getMessage().contains("class 3"),
        outside.getMessage());
    IOException tooMany = assertThrows(IOException.class,
        () -> new GroupTopLists.Reader(new ByteArrayInputStream(good), "part-3.bin", 5, 1).next());
    assertTrue(tooMany.getMessage().contains("part-3.bin") && tooMany.getMessage().contains("2 classes"),
        tooMany.getMessage());
  }
}
