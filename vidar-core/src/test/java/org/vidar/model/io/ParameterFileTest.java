package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.model.param.ParameterLayout;

class ParameterFileTest {
  @TempDir Path dir;

  static ParameterLayout layout() {
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("gate.w", 13, 7);
    b.add("gate.b", 7);
    b.add("temperature");
    b.add("head.w", 7, 3, 2);
    return b.build();
  }

  @Test
  void savesAndLoadsBitExact() throws IOException {
    ParameterLayout layout = layout();
    float[] values = SafeTensorsRoundTripTest.random(layout.size(), 9);
    Path file = dir.resolve("p.safetensors");
    ParameterFile.save(file, layout, values, Map.of("stage", "head"), Dtype.F32);
    ParameterFile.Loaded loaded = ParameterFile.load(file, layout);
    assertArrayEquals(values, loaded.values());
    assertEquals(Map.of("stage", "head"), loaded.metadata());
  }

  @Test
  void loadsIntoALayoutOfADifferentOrder() throws IOException {
    ParameterLayout layout = layout();
    float[] values = SafeTensorsRoundTripTest.random(layout.size(), 10);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParameterFile.write(out, layout, values, Map.of(), Dtype.F32);
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("head.w", 7, 3, 2);
    b.add("temperature");
    b.add("gate.b", 7);
    b.add("gate.w", 13, 7);
    ParameterLayout other = b.build();
    float[] got = ParameterFile.load(new ByteArrayInputStream(out.toByteArray()), "mem", other).values();
    for (String name : new String[] {"gate.w", "gate.b", "temperature", "head.w"}) {
      int n = layout.get(name).size();
      for (int i = 0; i < n; i++) {
        assertEquals(values[layout.get(name).offset() + i], got[other.get(name).offset() + i], name);
      }
    }
  }

  @Test
  void halfPrecisionFilesLoadAsFloats() throws IOException {
    ParameterLayout layout = layout();
    float[] values = SafeTensorsRoundTripTest.random(layout.size(), 11);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParameterFile.write(out, layout, values, Map.of(), Dtype.BF16);
    float[] got = ParameterFile.load(new ByteArrayInputStream(out.toByteArray()), "mem", layout).values();
    for (int i = 0; i < values.length; i++) {
      assertEquals(HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(values[i])), got[i]);
    }
  }

  @Test
  void mismatchListsEveryDifference() throws IOException {
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("gate.w", 13, 7);
    b.add("gate.b", 8);
    b.add("extra", 2);
    ParameterLayout saved = b.build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParameterFile.write(out, saved, new float[saved.size()], Map.of(), Dtype.F32);
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> ParameterFile.load(new ByteArrayInputStream(out.toByteArray()), "old.safetensors", layout()));
    String m = e.getMessage();
    assertTrue(m.startsWith("old.safetensors: tensors differ from the expected layout"), m);
    assertTrue(m.contains("'gate.b' has shape [8], expected [7]"), m);
    assertTrue(m.contains("missing 'temperature' (expected shape [])"), m);
    assertTrue(m.contains("missing 'head.w' (expected shape [7, 3, 2])"), m);
    assertTrue(m.contains("unexpected 'extra' (shape [2])"), m);
    assertTrue(!m.contains("gate.w"), m);
  }

  @Test
  void scalarAndVectorOfOneDiffer() throws IOException {
    ParameterLayout.Builder b = ParameterLayout.builder();
    b.add("t", 1);
    ParameterLayout vector = b.build();
    ParameterLayout.Builder c = ParameterLayout.builder();
    c.add("t");
    ParameterLayout scalar = c.build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParameterFile.write(out, vector, new float[1], Map.of(), Dtype.F32);
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> ParameterFile.load(new ByteArrayInputStream(out.toByteArray()), "mem", scalar));
    assertTrue(e.getMessage().contains("'t' has shape [1], expected []"), e.getMessage());
  }

  @Test
  void rejectsAnArrayOfTheWrongSize() {
    assertThrows(IllegalArgumentException.class,
        () -> ParameterFile.write(new ByteArrayOutputStream(), layout(), new float[3], Map.of(), Dtype.F32));
  }
}
