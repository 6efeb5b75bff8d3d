package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vidar.data.Quantization;

/** Frames held as bytes read back exactly as dequantized and normalized floats. */
class QuantizedRowsTest {
  private static float[] dequantizedRows(int rows, int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = Quantization.dequantize((byte) r.nextInt(256));
    }
    return x;
  }

  @Test
  void rowsReadBackAsTheNormalizedFloatsBitForBit() {
    int dim = 37;
    float[] x = dequantizedRows(300, dim, 1);
    List<Long> asked = new ArrayList<>();
    QuantizedRows.Builder b = new QuantizedRows.Builder(dim, (held, more) -> asked.add(more));
    b.appendDequantized(x, 0, 120);
    b.appendDequantized(x, 120 * dim, 180);
    QuantizedRows rows = b.build();
    assertEquals(300, rows.rows());
    assertEquals(300L * (dim + 8), rows.bytes());
    float[] expected = x.clone();
    InputNormalization.l2NormalizeRows(expected, 300, dim);
    float[] got = new float[300 * dim];
    rows.copyRows(0, 300, got, 0);
    assertArrayEquals(expected, got);
    // A part, at an offset.
    float[] part = new float[5 + 7 * dim];
    rows.copyRows(211, 7, part, 5);
    for (int i = 0; i < 7 * dim; i++) {
      assertEquals(expected[211 * dim + i], part[5 + i]);
    }
    assertTrue(!asked.isEmpty(), "every allocation is asked for");
    assertThrows(IndexOutOfBoundsException.class, () -> rows.copyRows(299, 2, got, 0));
  }

  @Test
  void rowsSpreadOverSegmentsReadBackWhole() {
    int dim = 6;
    float[] x = dequantizedRows(100, dim, 4);
    // Three rows a segment (20 bytes hold 3 rows of 6): 34 segments, rows never split.
    QuantizedRows.Builder b = new QuantizedRows.Builder(dim, 20, (held, more) -> {});
    for (int r = 0; r < 100; r++) {
      b.appendDequantized(x, r * dim, 1);
    }
    QuantizedRows rows = b.build();
    float[] expected = x.clone();
    InputNormalization.l2NormalizeRows(expected, 100, dim);
    float[] got = new float[100 * dim];
    rows.copyRows(0, 100, got, 0);
    assertArrayEquals(expected, got);
    QuantizedRows some = rows.select(new int[] {2}, new int[] {8}, (held, more) -> {});
    float[] part = new float[6 * dim];
    some.copyRows(0, 6, part, 0);
    assertArrayEquals(java.util.Arrays.copyOfRange(expected, 2 * dim, 8 * dim), part);
  }

  @Test
  void aSelectionHoldsTheRowsItNames() {
    int dim = 5;
    float[] x = dequantizedRows(50, dim, 2);
    QuantizedRows.Builder b = new QuantizedRows.Builder(dim, (held, more) -> {});
    b.appendDequantized(x, 0, 50);
    QuantizedRows all = b.build();
    QuantizedRows some = all.select(new int[] {40, 3}, new int[] {45, 4}, (held, more) -> {});
    assertEquals(6, some.rows());
    float[] want = new float[6 * dim];
    all.copyRows(40, 5, want, 0);
    all.copyRows(3, 1, want, 5 * dim);
    float[] got = new float[6 * dim];
    some.copyRows(0, 6, got, 0);
    assertArrayEquals(want, got);
  }

  @Test
  void aValueThatNoByteGivesIsRefused() {
    QuantizedRows.Builder b = new QuantizedRows.Builder(2, (held, more) -> {});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.appendDequantized(new float[] {Quantization.dequantize((byte) 3), 0.123f}, 0, 1));
    assertTrue(e.getMessage().contains("0.123 is not a dequantized byte"), e.getMessage());
    assertEquals(0, b.build().rows());
  }

  @Test
  void everyByteIsItsOwnLevel() {
    for (int q = 0; q < 256; q++) {
      assertEquals((byte) q, Quantization.levelOf(Quantization.dequantize((byte) q)));
    }
  }

  @Test
  void aRefusedAllocationStopsTheBuild() {
    QuantizedRows.Builder b = new QuantizedRows.Builder(10, (held, more) -> {
      if (held + more > 2_000) {
        throw new MemoryBudget.InsufficientMemoryException("no room for " + more);
      }
    });
    float[] x = dequantizedRows(1000, 10, 3);
    assertThrows(MemoryBudget.InsufficientMemoryException.class, () -> b.appendDequantized(x, 0, 1000));
  }
}
