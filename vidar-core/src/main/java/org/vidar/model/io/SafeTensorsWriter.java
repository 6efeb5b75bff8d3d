package org.vidar.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes named float tensors and a string metadata map as a safetensors file, storing the values as
 * F32, or converted to F16 or BF16 for compact files. Tensors are laid out in the order given; the
 * data is streamed in fixed-size chunks, never copied whole.
 */
public final class SafeTensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Dtype dtype;

  /** A writer storing every tensor as {@code dtype}. */
  public SafeTensorsWriter(Dtype dtype) {
    if (dtype == null) {
      throw new IllegalArgumentException("dtype is null");
    }
    this.dtype = dtype;
  }

  /** The dtype the values are stored as. */
  public Dtype dtype() {
    return dtype;
  }

  /**
   * Writes the file to {@code out}, flushing but not closing it, and returns the number of bytes
   * written.
   */
  public long write(OutputStream out, List<TensorData> tensors, Map<String, String> metadata) throws IOException {
    byte[] header = header(tensors, metadata);
    byte[] chunk = new byte[SafeTensorsFormat.CHUNK_BYTES];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length);
    out.write(chunk, 0, 8);
    out.write(header);
    long written = 8L + header.length;
    int perChunk = SafeTensorsFormat.CHUNK_BYTES / dtype.bytes();
    for (TensorData t : tensors) {
      float[] src = t.values();
      int n = t.count();
      for (int done = 0; done < n; ) {
        int m = Math.min(perChunk, n - done);
        encode(src, t.offset() + done, m, buf);
        out.write(chunk, 0, m * dtype.bytes());
        written += (long) m * dtype.bytes();
        done += m; // never past n, so no int overflow near 2^31 values
      }
    }
    out.flush();
    return written;
  }

  /**
   * Writes the file at {@code file} through a temporary sibling that replaces it at the end, so a
   * crash never leaves a half-written file under the final name.
   */
  public long write(Path file, List<TensorData> tensors, Map<String, String> metadata) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    long n;
    try (OutputStream out = Files.newOutputStream(tmp)) {
      n = write(out, tensors, metadata);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return n;
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes as the reference writer does. */
  byte[] header(List<TensorData> tensors, Map<String, String> metadata) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafeTensorsFormat.METADATA_KEY);
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("metadata has a null key or value: " + metadata);
        }
        meta.put(e.getKey(), e.getValue());
      }
    }
    Set<String> names = new HashSet<>();
    long begin = 0;
    for (TensorData t : tensors) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("tensor name " + t.name() + " used twice");
      }
      long end = begin + (long) t.count() * dtype.bytes();
      ObjectNode entry = root.putObject(t.name());
      entry.put("dtype", dtype.name());
      ArrayNode shape = entry.putArray("shape");
      Arrays.stream(t.shape()).forEach(shape::add);
      entry.putArray("data_offsets").add(begin).add(end);
      begin = end;
    }
    byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) & ~7;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private void encode(float[] src, int from, int n, ByteBuffer buf) {
    buf.clear();
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().put(src, from, n);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          buf.putShort(2 * i, HalfFloats.floatToHalf(src[from + i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          buf.putShort(2 * i, HalfFloats.floatToBfloat16(src[from + i]));
        }
      }
    }
  }
}
