package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantizationTest {
  private static final double STEP = 4.0 / 255.0;
  /** The starter code's reader adds half of a 256-level step (4 / 512) that the writer does not subtract. */
  private static final double READER_BIAS = 4.0 / 512.0;

  @Test
  void dequantizationEndpointsAreTheStarterCodeConstants() {
    assertEquals(-1.9921875f, Quantization.dequantize((byte) 0));
    assertEquals(2.0078125f, Quantization.dequantize((byte) 255));
  }

  @Test
  void dequantizationOf128() {
    float got = Quantization.dequantize((byte) 128);
    // bit-exact with TensorFlow's float32 evaluation of feat * (4 / 255) + (4 / 512 - 2)
    assertEquals(128 * (float) (4.0 / 255.0) + (float) (4.0 / 512.0 - 2.0), got);
    // and the exact real value 128 * 4 / 255 + 4 / 512 - 2 = 0.01565563725..., to float32 rounding
    // of the two-step evaluation (the result is near zero, so the absolute error of -2 + ... shows)
    assertEquals(128 * 4.0 / 255.0 + 4.0 / 512.0 - 2.0, got, 2.4e-7);
  }

  @Test
  void everyByteDequantizesByTheFormula() {
    for (int q = 0; q < 256; q++) {
      float got = Quantization.dequantize((byte) q);
      assertEquals(q * (float) (4.0 / 255.0) + (float) (4.0 / 512.0 - 2.0), got, "q = " + q);
      assertEquals(q * STEP + READER_BIAS - 2.0, got, 4e-7, "q = " + q);
      if (q > 0) {
        assertEquals(STEP, got - Quantization.dequantize((byte) (q - 1)), 1e-6, "step at q = " + q);
      }
    }
  }

  @Test
  void quantizationFormulaAndClipping() {
    assertEquals(0, Quantization.quantize(-2f));
    assertEquals((byte) 255, Quantization.quantize(2f));
    assertEquals((byte) 128, Quantization.quantize(0f), "127.5 rounds up");
    assertEquals((byte) 191, Quantization.quantize(1f), "191.25");
    assertEquals((byte) 64, Quantization.quantize(-1f + 0.5f * (float) STEP), "63.75 + 0.5 = 64.25");
    assertEquals(0, Quantization.quantize(-7f));
    assertEquals((byte) 255, Quantization.quantize(7f));
    assertEquals(0, Quantization.quantize(Float.NEGATIVE_INFINITY));
    assertEquals((byte) 255, Quantization.quantize(Float.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> Quantization.quantize(Float.NaN));
  }

  @Test
  void quantizeOfDequantizeGivesBackEveryByte() {
    for (int q = 0; q < 256; q++) {
      assertEquals((byte) q, Quantization.quantize(Quantization.dequantize((byte) q)), "q = " + q);
    }
  }

  /**
   * Writer and reader follow the spec's two formulas, which do not invert each other exactly: the
   * reader adds 4/512. After removing that documented bias the round trip is within half a step;
   * without it the error stays within half a step plus the bias.
   */
  @Test
  void roundTripErrorIsHalfAStepAroundTheReaderBias() {
    double worst = 0;
    for (int i = 0; i <= 40_000; i++) {
      float x = (float) (-2.0 + 4.0 * i / 40_000);
      double back = Quantization.dequantize(Quantization.quantize(x));
      double err = Math.abs(back - READER_BIAS - x);
      assertTrue(err <= STEP / 2 + 1e-6, "x = " + x + " error " + err);
      worst = Math.max(worst, err);
      assertTrue(Math.abs(back - x) <= STEP / 2 + READER_BIAS + 1e-6, "x = " + x);
    }
    assertTrue(worst > STEP / 2 - 1e-3, "the grid reaches the half-step bound: " + worst);
  }

  @Test
  void bulkConversionsHonourOffsets() {
    byte[] src = {9, 0, (byte) 255, (byte) 128, 7};
    float[] dst = new float[6];
    dst[0] = 42f;
    dst[5] = 43f;
    Quantization.dequantize(src, 1, dst, 1, 3);
    assertArrayEquals(new float[] {42f, -1.9921875f, 2.0078125f, Quantization.dequantize((byte) 128), 0f, 43f}, dst);

    float[] x = {100f, -2f, 0f, 2f, 100f};
    byte[] q = new byte[5];
    q[0] = 1;
    q[4] = 2;
    Quantization.quantize(x, 1, q, 1, 3);
    assertArrayEquals(new byte[] {1, 0, (byte) 128, (byte) 255, 2}, q);
  }
}
