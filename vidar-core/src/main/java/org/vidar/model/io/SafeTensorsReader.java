package org.vidar.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vidar.data.Excerpt;

/**
 * Reads a safetensors file of F32, F16 or BF16 tensors into float arrays, after checking the whole
 * header: sane length, well-formed JSON, known dtypes, shapes that match their byte ranges, and
 * tensors packed end to end with no gap or overlap. Reads stream forward, so tensors are read in file
 * order (the order of {@link #tensors()}).
 */
public final class SafeTensorsReader implements Closeable {
  // Tree model only: no data binding to classes, no polymorphic or default typing on user input.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
  private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

  private final InputStream in;
  private final String source;
  private final Map<String, String> metadata;
  private final List<TensorEntry> tensors;
  private final Map<String, TensorEntry> byName;
  private final long dataBytes;
  private long position; // bytes of the data section consumed so far

  private SafeTensorsReader(InputStream in, String source, long fileSize) throws IOException {
    this.in = in;
    this.source = source;
    byte[] len = in.readNBytes(8);
    if (len.length < 8) {
      throw error("truncated: " + len.length + " bytes, too short for the 8-byte header length");
    }
    long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 0 || n > SafeTensorsFormat.MAX_HEADER_BYTES) {
      throw error("header length " + Long.toUnsignedString(n) + " is not sane (at most "
          + SafeTensorsFormat.MAX_HEADER_BYTES + " bytes); not a safetensors file?");
    }
    if (fileSize >= 0 && n > fileSize - 8) {
      throw error("header length " + n + " exceeds the " + (fileSize - 8) + " bytes after the length field");
    }
    byte[] header = in.readNBytes((int) n);
    if (header.length < n) {
      throw error("truncated in the header: header length is " + n + " bytes but the file ends after "
          + header.length);
    }
    Map<String, String> meta = Map.of();
    List<TensorEntry> entries = new ArrayList<>();
    Map<String, TensorEntry> names = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(header)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw error("header is not a JSON object");
      }
      boolean sawMetadata = false;
      JsonToken tok;
      while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        JsonNode value;
        try {
          value = JSON.readTree(p);
        } catch (JsonProcessingException ex) {
          throw new SafeTensorsException(source + ": tensor " + Excerpt.of(name) + ": entry is not valid JSON: "
              + ex.getOriginalMessage(), ex);
        }
        if (value == null) {
          throw error("header ends inside the entry of " + Excerpt.of(name));
        }
        if (SafeTensorsFormat.METADATA_KEY.equals(name)) {
          if (sawMetadata) {
            throw error(SafeTensorsFormat.METADATA_KEY + " appears twice in the header");
          }
          sawMetadata = true;
          meta = metadata(value);
          continue;
        }
        if (names.containsKey(name)) {
          throw error(name, "appears twice in the header");
        }
        TensorEntry e = entry(name, value);
        names.put(name, e);
        entries.add(e);
      }
      if (tok != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw error("header has content after its JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new SafeTensorsException(source + ": header is not valid JSON: " + e.getOriginalMessage(), e);
    }
    entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    long pos = 0;
    String prev = null;
    for (TensorEntry e : entries) {
      if (e.begin() < pos) {
        throw error(e.name(), "data_offsets [" + e.begin() + ", " + e.end() + "] overlap tensor " + Excerpt.of(prev)
            + ", which ends at " + pos);
      }
      if (e.begin() > pos) {
        throw error(e.name(), "data_offsets [" + e.begin() + ", " + e.end() + "] leave a gap: "
            + (prev == null ? "the data section starts at 0" : "tensor " + Excerpt.of(prev) + " ends at " + pos));
      }
      pos = e.end();
      prev = e.name();
    }
    if (fileSize >= 0) {
      long actual = fileSize - 8 - n;
      if (pos > actual) {
        throw error(prev, "data_offsets end at " + pos + ", beyond the data section of " + actual
            + " bytes (truncated file?)");
      }
      if (pos < actual) {
        throw error((actual - pos) + " bytes after the end of the last tensor's data");
      }
    }
    this.dataBytes = pos;
    this.metadata = Collections.unmodifiableMap(meta);
    this.tensors = Collections.unmodifiableList(entries);
    this.byName = Collections.unmodifiableMap(names);
  }

  /** Opens and validates a file; the size of the file bounds the header and the data. */
  public static SafeTensorsReader open(Path file) throws IOException {
    long size = Files.size(file);
    InputStream in = Files.newInputStream(file);
    try {
      return new SafeTensorsReader(in, file.toString(), size);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * Reads and validates the header from a stream of unknown length; {@code source} names it in error
   * messages. A file cut short is detected when its data is read; bytes after the last tensor's data
   * go unnoticed. The reader owns the stream.
   */
  public static SafeTensorsReader open(InputStream in, String source) throws IOException {
    return new SafeTensorsReader(in, source, -1);
  }

  /** As {@link #open(InputStream, String)}, for a stream known to hold exactly {@code size} bytes. */
  public static SafeTensorsReader open(InputStream in, String source, long size) throws IOException {
    return new SafeTensorsReader(in, source, size);
  }

  /** The name of the file or stream, as used in messages. */
  public String source() {
    return source;
  }

  /** The header's {@code __metadata__} map (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The tensors in file order. */
  public List<TensorEntry> tensors() {
    return tensors;
  }

  /** Size of the data section in bytes. */
  public long dataBytes() {
    return dataBytes;
  }

  /** True when the file has a tensor of this name. */
  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /** The tensor of this name. */
  public TensorEntry tensor(String name) throws SafeTensorsException {
    TensorEntry e = byName.get(name);
    if (e == null) {
      throw error(name, "not in the file; it has " + byName.keySet());
    }
    return e;
  }

  /** Reads the tensor into a new array. */
  public float[] read(String name) throws IOException {
    TensorEntry e = tensor(name);
    float[] dst = new float[checkedCount(e)];
    read(name, dst, 0);
    return dst;
  }

  /**
   * Reads the tensor's values, converted to float, into {@code dst} from {@code offset}. Tensors must
   * be read in file order; tensors in between are skipped.
   */
  public void read(String name, float[] dst, int offset) throws IOException {
    TensorEntry e = tensor(name);
    int n = checkedCount(e);
    if (offset < 0 || (long) offset + n > dst.length) {
      throw new IllegalArgumentException(source + ": tensor " + Excerpt.of(name) + " has " + n
          + " values, more than fit in an array of " + dst.length + " from offset " + offset);
    }
    if (n == 0) {
      return;
    }
    if (e.begin() < position) {
      throw new IllegalStateException(source + ": tensor " + Excerpt.of(name) + " lies before the read position; "
          + "read tensors in file order, the order of tensors()");
    }
    try {
      in.skipNBytes(e.begin() - position);
    } catch (EOFException ex) {
      throw error(name, "truncated: the file ends before the tensor's data at byte " + e.begin()
          + " of the data section");
    }
    position = e.begin();
    int size = e.dtype().bytes();
    byte[] chunk = new byte[(int) Math.min(SafeTensorsFormat.CHUNK_BYTES, (long) n * size)];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = chunk.length / size;
    int m;
    for (int done = 0; done < n; done += m) {
      m = Math.min(perChunk, n - done);
      int got = in.readNBytes(chunk, 0, m * size);
      position += got;
      if (got < m * size) {
        throw error(name, "truncated: the file ends at byte " + position + " of the data section, inside the "
            + "tensor's data [" + e.begin() + ", " + e.end() + ")");
      }
      decode(e.dtype(), buf, dst, offset + done, m);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private static void decode(Dtype dtype, ByteBuffer buf, float[] dst, int from, int n) {
    buf.clear();
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().get(dst, from, n);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          dst[from + i] = HalfFloats.halfToFloat(buf.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          dst[from + i] = HalfFloats.bfloat16ToFloat(buf.getShort(2 * i));
        }
      }
    }
  }

  private int checkedCount(TensorEntry e) {
    long n = e.count();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(source + ": tensor " + Excerpt.of(e.name()) + " has " + n
          + " values, more than one array holds");
    }
    return (int) n;
  }

  private Map<String, String> metadata(JsonNode value) throws SafeTensorsException {
    if (!value.isObject()) {
      throw error(SafeTensorsFormat.METADATA_KEY + " is not a JSON object but " + value.getNodeType());
    }
    Map<String, String> meta = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : value.properties()) {
      if (!f.getValue().isTextual()) {
        throw error(SafeTensorsFormat.METADATA_KEY + " value of " + Excerpt.of(f.getKey()) + " is not a string but "
            + f.getValue().getNodeType());
      }
      meta.put(f.getKey(), f.getValue().textValue());
    }
    return meta;
  }

  private TensorEntry entry(String name, JsonNode v) throws SafeTensorsException {
    if (!v.isObject()) {
      throw error(name, "entry is not a JSON object but " + v.getNodeType());
    }
    for (Map.Entry<String, JsonNode> p : v.properties()) {
      String f = p.getKey();
      if (!ENTRY_FIELDS.contains(f)) {
        throw error(name, "unknown field " + Excerpt.of(f) + " (expected dtype, shape, data_offsets)");
      }
    }
    JsonNode dt = required(name, v, "dtype");
    if (!dt.isTextual()) {
      throw error(name, "dtype is not a string but " + dt.getNodeType());
    }
    Dtype dtype;
    try {
      dtype = Dtype.valueOf(dt.textValue());
    } catch (IllegalArgumentException ex) {
      throw error(name, Dtype.isFormatDtype(dt.textValue())
          ? "dtype " + dt.textValue() + " is not supported; Vidar reads " + Arrays.toString(Dtype.values())
          : "unknown dtype " + Excerpt.of(dt.textValue()));
    }
    long[] dims = longs(name, required(name, v, "shape"), "shape", -1);
    int[] shape = new int[dims.length];
    long count = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] > Integer.MAX_VALUE) {
        throw error(name, "shape " + Arrays.toString(dims) + " has a dimension above " + Integer.MAX_VALUE);
      }
      shape[i] = (int) dims[i];
      try {
        count = Math.multiplyExact(count, dims[i]);
      } catch (ArithmeticException ex) {
        throw error(name, "shape " + Arrays.toString(dims) + " has more values than a long counts");
      }
    }
    long[] offsets = longs(name, required(name, v, "data_offsets"), "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw error(name, "data_offsets " + Arrays.toString(offsets) + " end before they begin");
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(count, dtype.bytes());
    } catch (ArithmeticException ex) {
      throw error(name, "shape " + Arrays.toString(dims) + " has more bytes than a long counts");
    }
    if (end - begin != bytes) {
      throw error(name, "shape " + Arrays.toString(dims) + " of " + dtype + " needs " + bytes
          + " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
    }
    return new TensorEntry(name, dtype, shape, begin, end);
  }

  private JsonNode required(String name, JsonNode v, String field) throws SafeTensorsException {
    JsonNode f = v.get(field);
    if (f == null) {
      throw error(name, "no " + field + " field");
    }
    return f;
  }

  /** A JSON array of non-negative integers that fit a long, of {@code length} elements unless -1. */
  private long[] longs(String name, JsonNode v, String field, int length) throws SafeTensorsException {
    if (!v.isArray()) {
      throw error(name, field + " is not an array but " + v.getNodeType());
    }
    if (length >= 0 && v.size() != length) {
      throw error(name, field + " " + v + " does not have " + length + " elements");
    }
    long[] out = new long[v.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode x = v.get(i);
      if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
        throw error(name, field + " " + v + " holds " + x + ", not a non-negative integer");
      }
      out[i] = x.longValue();
    }
    return out;
  }

  private SafeTensorsException error(String what) {
    return new SafeTensorsException(source + ": " + what);
  }

  private SafeTensorsException error(String tensor, String what) {
    return new SafeTensorsException(source + ": tensor " + Excerpt.of(tensor) + ": " + what);
  }
}
