package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that plain numpy reads our files: a dozen lines of Python parse the header with {@code json}
 * and the data with {@code np.frombuffer}, and compare against values numpy computes itself, including
 * numpy's own float16 rounding. Skipped where python3 with numpy is missing.
 */
class NumpyReadabilityTest {
  @TempDir Path dir;

  private static final float[] SPECIAL = {
    0f, -0f, 1f, -2f, 65504f, 65519.99f, 65520f, 1e10f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
    Float.NaN, 0x1p-14f, 0x1p-24f, 0x1p-25f, 2.5f * 0x1p-24f, 3.5f * 0x1p-24f, 1e-8f, -1e-30f, Float.MIN_VALUE,
    1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 1f / 3, Float.MAX_VALUE, Float.intBitsToFloat(0x3f808000)
  };

  private static final String SCRIPT = String.join("\n",
      "import json, sys, numpy as np",
      "def read(path):",
      "    b = open(path, 'rb').read()",
      "    n = int.from_bytes(b[:8], 'little')",
      "    assert n % 8 == 0, n",
      "    text = b[8:8 + n].decode('utf-8')",
      "    assert text == text.rstrip(' ') + ' ' * (len(text) - len(text.rstrip(' ')))",
      "    header = json.loads(text)",
      "    meta = header.pop('__metadata__', {})",
      "    data = b[8 + n:]",
      "    assert max([e['data_offsets'][1] for e in header.values()] + [0]) == len(data)",
      "    out = {}",
      "    for name, e in header.items():",
      "        lo, hi = e['data_offsets']",
      "        raw = data[lo:hi]",
      "        if e['dtype'] == 'F32': a = np.frombuffer(raw, dtype='<f4')",
      "        elif e['dtype'] == 'F16': a = np.frombuffer(raw, dtype='<f2')",
      "        elif e['dtype'] == 'BF16': a = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)",
      "        else: raise ValueError(e['dtype'])",
      "        out[name] = (e['dtype'], a.reshape(e['shape']))",
      "    return meta, out",
      "def same_bits(x, y):",
      "    assert x.shape == y.shape and x.dtype == y.dtype, (x.shape, y.shape, x.dtype, y.dtype)",
      "    u = {2: np.uint16, 4: np.uint32}[x.dtype.itemsize]",
      "    assert np.array_equal(x.view(u), y.view(u)), (x, y)",
      "special = np.array([SPECIAL], dtype=np.uint32).view(np.float32)",
      "grid = (np.arange(3 * 5 * 7, dtype=np.float64) * 0.37 - 5).astype(np.float32).reshape(3, 5, 7)",
      "def bf16(x0):",
      "    x = x0.reshape(-1)",
      "    bits = x.view(np.uint32).astype(np.uint64)",
      "    r = ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16).astype(np.uint32)",
      "    nan = np.isnan(x)",
      "    r[nan] = (x.view(np.uint32)[nan] >> 16) | 0x40",
      "    return (r << 16).view(np.float32).reshape(x0.shape)",
      "with np.errstate(over='ignore'):",
      "    for dtype, conv in [('F32', lambda x: x), ('F16', lambda x: x.astype(np.float16)), ('BF16', bf16)]:",
      "        meta, t = read(sys.argv[1] + '/' + dtype + '.safetensors')",
      "        assert meta == {'dtype': dtype, 'note': 'ünï'}, meta",
      "        assert sorted(t) == ['empty', 'grid', 'scalar', 'special'], sorted(t)",
      "        assert all(d == dtype for d, _ in t.values())",
      "        same_bits(t['grid'][1], conv(grid))",
      "        same_bits(t['special'][1], conv(special))",
      "        same_bits(t['scalar'][1], conv(np.array(np.float32(0.1))))",
      "        assert t['empty'][1].shape == (4, 0)",
      "print('OK')",
      "");

  private static boolean numpyPresent() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void numpyReadsWhatWeWrite() throws Exception {
    assumeTrue(numpyPresent(), "python3 with numpy not found");
    float[] flat = new float[105 + 1 + SPECIAL.length];
    for (int i = 0; i < 105; i++) {
      flat[i] = (float) (i * 0.37 - 5);
    }
    flat[105] = 0.1f;
    System.arraycopy(SPECIAL, 0, flat, 106, SPECIAL.length);
    List<TensorData> tensors = List.of(
        new TensorData("grid", new int[] {3, 5, 7}, flat, 0),
        new TensorData("scalar", new int[] {}, flat, 105),
        new TensorData("empty", new int[] {4, 0}, flat, 106),
        new TensorData("special", new int[] {SPECIAL.length}, flat, 106));
    for (Dtype dtype : Dtype.values()) {
      new SafeTensorsWriter(dtype).write(dir.resolve(dtype + ".safetensors"), tensors,
          Map.of("dtype", dtype.name(), "note", "ünï"));
    }
    String bits = IntStream.range(0, SPECIAL.length)
        .mapToObj(i -> Integer.toUnsignedString(Float.floatToRawIntBits(SPECIAL[i])))
        .collect(Collectors.joining(", "));
    Path script = dir.resolve("read.py");
    Files.writeString(script, SCRIPT.replace("[SPECIAL]", "[" + bits + "]"), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), dir.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "python3 did not finish");
    assertEquals(0, p.exitValue(), output);
    assertEquals("OK", output.strip(), output);
  }
}
