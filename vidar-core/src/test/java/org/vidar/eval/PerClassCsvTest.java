package org.vidar.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-class AP table: read back as written, names with commas and quotes included. */
class PerClassCsvTest {
  @TempDir Path tmp;

  @Test
  void roundTrip() throws IOException {
    YouTube8mEvaluator a = new YouTube8mEvaluator(3, 20);
    a.add(new int[] {0, 1, 2}, new float[] {0.9f, 0.5f, 0.1f}, 3, new int[] {0, 2});
    a.add(new int[] {1, 0, 2}, new float[] {0.8f, 0.3f, 0.2f}, 3, new int[] {1});
    EvalReport first = a.report();
    YouTube8mEvaluator b = new YouTube8mEvaluator(3, 20);
    b.add(new int[] {2}, new float[] {0.9f}, 1, new int[] {0, 2});
    b.add(new int[] {0}, new float[] {0.9f}, 1, new int[] {1});
    EvalReport second = b.report();
    String file = tmp.resolve("per-class.csv").toString();
    PerClassCsv.write(file, List.of("model", "oracle"), List.of(first, second), List.of("a,b", "say \"hi\"", "c"));
    assertTrue(Files.readString(Path.of(file)).startsWith("Index,Name,Positives,AP_model,AP_oracle\n0,\"a,b\",1,"));
    PerClassCsv.Table t = PerClassCsv.read(file);
    assertEquals(List.of("model", "oracle"), t.sets());
    assertEquals(List.of("a,b", "say \"hi\"", "c"), t.classNames());
    assertArrayEquals(first.classPositives(), t.positives());
    for (int c = 0; c < 3; c++) {
      assertEquals(first.classAp(c), t.ap("model")[c], 1e-6);
      assertEquals(second.classAp(c), t.ap("oracle")[c], 1e-6);
    }
  }

  @Test
  void aShortRowIsNamed() throws IOException {
    Path file = tmp.resolve("bad.csv");
    Files.writeString(file, "Index,Name,Positives,AP_model\n0,x,3\n");
    IOException e = assertThrows(IOException.class, () -> PerClassCsv.read(file.toString()));
    assertTrue(e.getMessage().contains("bad.csv line 2"), e.getMessage());
  }
}
