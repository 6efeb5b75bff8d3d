package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Hand-built headers, each wrong in one way; every message must name the file and say what is wrong. */
class SafeTensorsReaderValidationTest {
  private static final String SOURCE = "bad.safetensors";

  @TempDir Path dir;

  /** A file with this header (unpadded) and {@code dataBytes} zero bytes of data. */
  static byte[] raw(String json, int dataBytes) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length).put(h).array();
  }

  static byte[] withLength(long headerLength, int total) {
    return ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array();
  }

  static SafeTensorsException rejected(byte[] file, boolean knownSize, String... parts) {
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> {
      try (SafeTensorsReader r = knownSize
          ? SafeTensorsReader.open(new ByteArrayInputStream(file), SOURCE, file.length)
          : SafeTensorsReader.open(new ByteArrayInputStream(file), SOURCE)) {
        for (TensorEntry t : r.tensors()) {
          r.read(t.name());
        }
      }
    });
    assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }
    return e;
  }

  static String f32(String name, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
  }

  static Arguments bad(String json, int dataBytes, String... parts) {
    return Arguments.of(json, dataBytes, List.of(parts));
  }

  static Stream<Arguments> badHeaders() {
    return Stream.of(
        bad("{not json", 0, "not valid JSON"),
        bad("", 0, "header is not a JSON object"),
        bad("[1,2]", 0, "not a JSON object"),
        bad("{} {}", 0, "content after its JSON object"),
        bad("{" + f32("a", "[2]", 0, 8), 8, "not valid JSON"),
        bad("{\"a\":5}", 0, "tensor 'a'", "not a JSON object but NUMBER"),
        bad("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "no dtype field"),
        bad("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "no shape field"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a'", "no data_offsets field"),
        bad("{\"a\":{\"dtype\":5,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "dtype is not a string"),
        bad("{\"a\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "unknown dtype 'F99'"),
        bad("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "I64 is not supported"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "shape is not an array"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "not a non-negative integer"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "not a non-negative integer"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "tensor 'a'", "does not have 2 elements"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", 8, "tensor 'a'", "does not have 2 elements"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{\"b\":0}}}", 8, "tensor 'a'", "data_offsets is not an array"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,\"8\"]}}", 8, "tensor 'a'", "not a non-negative integer"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}", 8, "tensor 'a'", "not a non-negative integer"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "tensor 'a'", "end before they begin"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", 8, "tensor 'a'", "unknown field 'extra'"),
        bad("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "not valid JSON", "tensor 'a'", "Duplicate field 'dtype'"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "dimension above"),
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "more values than a long counts"),
        // Shape and byte range disagree.
        bad("{" + f32("a", "[3]", 0, 8) + "}", 8, "tensor 'a'", "shape [3] of F32 needs 12 bytes", "span 8"),
        bad("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a'", "needs 4 bytes"),
        bad("{" + f32("a", "[]", 0, 0) + "}", 0, "tensor 'a'", "shape [] of F32 needs 4 bytes"),
        // Packing.
        bad("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 4, 12) + "}", 12, "tensor 'b'", "overlap tensor 'a'"),
        bad("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 0, 8) + "}", 8, "tensor 'b'", "overlap"),
        bad("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 12, 20) + "}", 20, "tensor 'b'", "gap", "'a' ends at 8"),
        bad("{" + f32("a", "[2]", 4, 12) + "}", 12, "tensor 'a'", "gap", "starts at 0"),
        bad("{" + f32("a", "[2]", 0, 8) + "," + f32("a", "[2]", 8, 16) + "}", 16, "tensor 'a'", "appears twice"),
        bad("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value of 'k' is not a string"),
        bad("{\"__metadata__\":[\"k\"]}", 0, "__metadata__ is not a JSON object"),
        bad("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "__metadata__ appears twice"));
  }

  @ParameterizedTest
  @MethodSource("badHeaders")
  void rejectsBadHeader(String json, int dataBytes, List<String> parts) {
    rejected(raw(json, dataBytes), true, parts.toArray(String[]::new));
    rejected(raw(json, dataBytes), false, parts.toArray(String[]::new));
  }

  @Test
  void rejectsBadHeaderLength() {
    rejected(new byte[5], false, "truncated", "too short");
    rejected(withLength(200_000_000L, 64), false, "header length 200000000 is not sane");
    rejected(withLength(-1L, 64), false, "header length 18446744073709551615 is not sane");
    rejected(withLength(1000, 64), true, "header length 1000 exceeds the 56 bytes");
    rejected(withLength(1000, 64), false, "truncated in the header", "header length is 1000", "ends after 56");
  }

  @Test
  void rejectsDataBeyondOrShortOfTheFile() {
    String json = "{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[3]", 8, 20) + "}";
    rejected(raw(json, 12), true, "tensor 'b'", "end at 20, beyond the data section of 12 bytes");
    rejected(raw(json, 12), false, "tensor 'b'", "truncated", "file ends at byte 12");
    rejected(raw(json, 2), false, "tensor 'a'", "truncated", "file ends at byte 2");
    rejected(raw(json, 24), true, "4 bytes after the end of the last tensor's data");
  }

  @Test
  void rejectsTruncatedFileOnDisk() throws IOException {
    float[] v = new float[1000];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new SafeTensorsWriter(Dtype.F32).write(out, List.of(new TensorData("w", new int[] {10, 100}, v, 0)), Map.of());
    byte[] whole = out.toByteArray();
    Path file = dir.resolve("cut.safetensors");
    Files.write(file, Arrays.copyOf(whole, whole.length - 1));
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(file));
    assertTrue(e.getMessage().startsWith(file + ": tensor 'w': data_offsets end at 4000, beyond the data section of 3999"),
        e.getMessage());
    Files.write(file, Arrays.copyOf(whole, 20));
    e = assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(file));
    assertTrue(e.getMessage().startsWith(file + ": header length"), e.getMessage());
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] file = raw("{\"__metadata__\":{\"k\":\"xx\"}}", 0);
    file[8 + 22] = (byte) 0xff;
    rejected(file, true, "not valid JSON");
  }

  @Test
  void acceptsZeroSizeTensorsAnywhere() throws IOException {
    String json = "{" + f32("z", "[0,3]", 8, 8) + "," + f32("a", "[2]", 0, 8) + "," + f32("y", "[5,0]", 8, 8) + "}";
    byte[] file = raw(json, 8);
    try (SafeTensorsReader r = SafeTensorsReader.open(new ByteArrayInputStream(file), SOURCE, file.length)) {
      assertTrue(r.read("a").length == 2 && r.read("z").length == 0 && r.read("y").length == 0);
    }
  }
}
