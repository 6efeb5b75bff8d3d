package org.vidar.tfpeer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;

class FrameLoaderTest {
  @TempDir Path dir;

  @Test
  void readsFramesAsTheShorterListAndDequantizesWithTheStartersConstants() throws IOException {
    byte[][] rgb = {filled(1024, 0), filled(1024, 255), filled(1024, 7)};
    byte[][] audio = {filled(128, 128), filled(128, 1)};
    Path file = dir.resolve("f.tfrecord");
    TestRecords.write(file, List.of(TestRecords.frames("a", rgb, audio, 3, 1)));

    FrameSet set = new FrameLoader(5).load(List.of(file));
    assertEquals(List.of("a"), set.ids());
    assertEquals(2, set.frameCounts()[0]);
    assertArrayEquals(new int[] {3, 1}, set.labels()[0]);
    assertEquals(2 * 1152, set.frames()[0].length);
    assertEquals((byte) 255, set.frames()[0][1152]);
    assertEquals((byte) 128, set.frames()[0][1024]);

    // q = 0 reads as -1.9921875, q = 255 as 2.0078125: 4/255 per step with the starter's half-step bias
    assertEquals(-1.9921875f, FrameBatchMaker.dequantize((byte) 0), 1e-7f);
    assertEquals(2.0078125f, FrameBatchMaker.dequantize((byte) 255), 1e-6f);
  }

  @Test
  void sampledFramesAreUnitLengthRowsVideoMajor() throws IOException {
    byte[][] rgb = {filled(1024, 0), filled(1024, 200)};
    byte[][] audio = {filled(128, 0), filled(128, 200)};
    Path file = dir.resolve("f.tfrecord");
    TestRecords.write(file, List.of(TestRecords.frames("a", rgb, audio), TestRecords.frames("b", rgb, audio, 0)));
    FrameSet set = new FrameLoader(2).load(List.of(file));
    FrameBatchMaker batches = new FrameBatchMaker(set, 2, 2, 5, new SplittableRandom(3));
    try (TFloat32 x = batches.inputs(new int[] {1, 0}, 0, 2)) {
      assertEquals(10, x.shape().size(0));
      assertEquals(1152, x.shape().size(1));
      for (int r = 0; r < 10; r++) {
        double sum = 0;
        for (int j = 0; j < 1152; j++) {
          sum += x.getFloat(r, j) * x.getFloat(r, j);
        }
        assertEquals(1, sum, 1e-5);
        // every feature of a frame is the same byte, so every coordinate is 1/sqrt(1152) in size
        assertEquals(1 / Math.sqrt(1152), Math.abs(x.getFloat(r, 0)), 1e-6);
      }
    }
  }

  @Test
  void aVideoWithoutFramesIsNamed() throws IOException {
    Path file = dir.resolve("f.tfrecord");
    TestRecords.write(file, List.of(TestRecords.frames("a", new byte[0][], new byte[0][])));
    IOException e = assertThrows(IOException.class, () -> new FrameLoader(2).load(List.of(file)));
    assertTrue(e.getMessage().contains("record 0") && e.getMessage().contains("no frames"), e.getMessage());
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }
}
