package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
  @TempDir Path dir;

  static float[] random(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  /** Several tensors in one flat array with odd shapes, a scalar, a zero-size tensor, one spanning chunks. */
  static List<TensorData> tensors(float[] flat) {
    return List.of(
        new TensorData("w", new int[] {3, 5, 7}, flat, 0),
        new TensorData("scalar", new int[] {}, flat, 105),
        new TensorData("empty", new int[] {0, 4}, flat, 106),
        new TensorData("one", new int[] {1}, flat, 106),
        new TensorData("big", new int[] {13, 2017}, flat, 107)); // 26221 floats: more than one 64 KiB chunk
  }

  static final int FLAT = 107 + 13 * 2017;

  private static byte[] write(Dtype dtype, List<TensorData> tensors, Map<String, String> meta) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = new SafeTensorsWriter(dtype).write(out, tensors, meta);
    assertEquals(out.size(), n);
    return out.toByteArray();
  }

  @Test
  void f32RoundTripIsBitExact() throws IOException {
    float[] flat = random(FLAT, 1);
    flat[3] = Float.NaN;
    flat[4] = Float.NEGATIVE_INFINITY;
    flat[5] = -0f;
    flat[6] = Float.MIN_VALUE;
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("ünïcode", "värde \"quoted\" \n");
    byte[] file = write(Dtype.F32, tensors(flat), meta);
    try (SafeTensorsReader r = SafeTensorsReader.open(new ByteArrayInputStream(file), "mem", file.length)) {
      assertEquals(meta, r.metadata());
      assertEquals(List.of("w", "scalar", "empty", "one", "big"), r.tensors().stream().map(TensorEntry::name).toList());
      assertArrayEquals(new int[] {}, r.tensor("scalar").shape());
      assertArrayEquals(new int[] {0, 4}, r.tensor("empty").shape());
      float[] back = new float[FLAT];
      for (TensorData t : tensors(flat)) {
        r.read(t.name(), back, t.offset());
      }
      for (int i = 0; i < FLAT; i++) {
        assertEquals(Float.floatToRawIntBits(flat[i]), Float.floatToRawIntBits(back[i]), "index " + i);
      }
    }
  }

  @Test
  void halfFormatsRoundTripWithinPrecision() throws IOException {
    float[] flat = random(FLAT, 2);
    for (Dtype dtype : List.of(Dtype.F16, Dtype.BF16)) {
      byte[] file = write(dtype, tensors(flat), Map.of());
      assertEquals(8 + headerLength(file) + 2L * FLAT, file.length);
      try (SafeTensorsReader r = SafeTensorsReader.open(new ByteArrayInputStream(file), "mem")) {
        assertEquals(Map.of(), r.metadata());
        float[] big = r.read("big");
        float tol = dtype == Dtype.F16 ? 0x1p-11f : 0x1p-8f;
        for (int i = 0; i < big.length; i++) {
          float x = flat[107 + i];
          float expected = dtype == Dtype.F16
              ? HalfFloats.halfToFloat(HalfFloats.floatToHalf(x))
              : HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(x));
          assertEquals(expected, big[i]);
          if (Math.abs(x) >= 0x1p-14f) {
            assertTrue(Math.abs(big[i] - x) <= Math.abs(x) * tol, dtype + ": " + x + " -> " + big[i]);
          }
        }
      }
    }
  }

  @Test
  void exactBytesOfATinyFile() throws IOException {
    byte[] file = write(Dtype.F32, List.of(new TensorData("a", new int[] {2}, new float[] {1f, -2f}, 0)),
        Map.of("k", "v"));
    String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    assertEquals(79, json.length());
    byte[] expected = new byte[8 + 80 + 8];
    expected[0] = 80; // header length, little-endian u64: 79 bytes of JSON + 1 space of padding
    System.arraycopy(json.getBytes(StandardCharsets.US_ASCII), 0, expected, 8, 79);
    expected[8 + 79] = ' ';
    byte[] data = {0x00, 0x00, (byte) 0x80, 0x3f, 0x00, 0x00, 0x00, (byte) 0xc0}; // 1.0f, -2.0f little-endian
    System.arraycopy(data, 0, expected, 88, 8);
    assertArrayEquals(expected, file);
  }

  @Test
  void headerIsAlwaysPaddedToEightBytes() throws IOException {
    for (int len = 1; len <= 9; len++) {
      String name = "x".repeat(len);
      byte[] file = write(Dtype.F32, List.of(new TensorData(name, new int[] {1}, new float[] {1f}, 0)), Map.of());
      long n = headerLength(file);
      assertEquals(0, n % 8);
      String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
      assertTrue(header.stripTrailing().endsWith("}"), header);
      assertEquals(8 + n + 4, file.length);
    }
  }

  @Test
  void emptyFileOfNoTensors() throws IOException {
    byte[] file = write(Dtype.F32, List.of(), Map.of());
    assertEquals("{}      ", new String(file, 8, 8, StandardCharsets.US_ASCII));
    try (SafeTensorsReader r = SafeTensorsReader.open(new ByteArrayInputStream(file), "mem", file.length)) {
      assertTrue(r.tensors().isEmpty());
      assertEquals(0, r.dataBytes());
    }
  }

  @Test
  void writesAndReadsFilesByPath() throws IOException {
    float[] flat = random(FLAT, 3);
    Path file = dir.resolve("m.safetensors");
    Files.writeString(file, "old contents");
    new SafeTensorsWriter(Dtype.F32).write(file, tensors(flat), Map.of("a", "b"));
    assertTrue(Files.notExists(dir.resolve("m.safetensors.tmp")));
    try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
      assertEquals(Map.of("a", "b"), r.metadata());
      assertArrayEquals(Arrays.copyOfRange(flat, 0, 105), r.read("w"));
      assertArrayEquals(new float[] {flat[105]}, r.read("scalar"));
      assertArrayEquals(new float[0], r.read("empty"));
      assertArrayEquals(Arrays.copyOfRange(flat, 107, FLAT), r.read("big"));
    }
  }

  @Test
  void tensorsMustBeReadInFileOrder() throws IOException {
    byte[] file = write(Dtype.F32, tensors(random(FLAT, 4)), Map.of());
    try (SafeTensorsReader r = SafeTensorsReader.open(new ByteArrayInputStream(file), "mem")) {
      r.read("big");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.read("w"));
      assertTrue(e.getMessage().contains("mem") && e.getMessage().contains("'w'"), e.getMessage());
      SafeTensorsException missing = assertThrows(SafeTensorsException.class, () -> r.read("nope"));
      assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
    }
  }

  @Test
  void writerRejectsBadInput() {
    float[] a = new float[4];
    assertThrows(IllegalArgumentException.class, () -> new TensorData("x", new int[] {5}, a, 0));
    assertThrows(IllegalArgumentException.class, () -> new TensorData("x", new int[] {2}, a, 3));
    assertThrows(IllegalArgumentException.class, () -> new TensorData("x", new int[] {-1}, a, 0));
    assertThrows(IllegalArgumentException.class, () -> new TensorData("__metadata__", new int[] {1}, a, 0));
    assertThrows(IllegalArgumentException.class, () -> new TensorData("x", new int[] {65536, 65536}, a, 0));
    List<TensorData> twice = List.of(new TensorData("x", new int[] {1}, a, 0), new TensorData("x", new int[] {1}, a, 1));
    assertThrows(IllegalArgumentException.class, () -> write(Dtype.F32, twice, Map.of()));
  }

  static long headerLength(byte[] file) {
    long n = 0;
    for (int i = 7; i >= 0; i--) {
      n = (n << 8) | (file[i] & 0xff);
    }
    return n;
  }
}
