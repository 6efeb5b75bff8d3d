package org.vidar.data;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The parts of TensorFlow's {@code tf.train} messages that Vidar uses, on the protobuf wire format:
 * field numbers, slices of a record buffer, and writing with protobuf-java's {@link CodedOutputStream}.
 * {@link ExampleParser} reads them.
 *
 * <p>We do not build generated message objects: a decoded {@code Example} would hold a map of
 * {@code Feature} objects and a boxed-free but copied {@code FloatList} per key, and the reader's
 * target is a copy straight from the record buffer into the caller's float array (see the TFRecord
 * decode benchmark in vidar-bench). Slices are passed as packed longs, {@code (start << 32) | length},
 * so scanning allocates nothing.
 *
 * <p>Messages (field numbers of tensorflow/core/example/{example,feature}.proto):
 * Example{1: Features}; SequenceExample{1: Features context, 2: FeatureLists};
 * Features{1: map&lt;string, Feature&gt;}; FeatureLists{1: map&lt;string, FeatureList&gt;};
 * FeatureList{1: repeated Feature}; Feature{oneof 1: BytesList, 2: FloatList, 3: Int64List};
 * BytesList{1: repeated bytes}; FloatList{1: repeated float, packed}; Int64List{1: repeated int64, packed}.
 */
final class ProtoWire {
  static final int BYTES_LIST = 1;
  static final int FLOAT_LIST = 2;
  static final int INT64_LIST = 3;
  static final long ABSENT = -1L;

  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private ProtoWire() {}

  /** A field's tag; {@code WireFormat.makeTag} is package-private in protobuf-java. */
  static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  static long slice(int start, int length) {
    return ((long) start << 32) | (length & 0xffffffffL);
  }

  static int start(long slice) {
    return (int) (slice >>> 32);
  }

  static int length(long slice) {
    return (int) slice;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String kindName(int kind) {
    return switch (kind) {
      case BYTES_LIST -> "bytes_list";
      case FLOAT_LIST -> "float_list";
      case INT64_LIST -> "int64_list";
      default -> "list kind " + kind;
    };
  }

  // ---- writing ----

  static int lenFieldSize(int field, int payload) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(payload)
        + payload;
  }

  static void writeLenHeader(CodedOutputStream out, int field, int payload) throws IOException {
    out.writeTag(field, LEN);
    out.writeUInt32NoTag(payload);
  }

  /** Size of a map entry message {1: key, 2: value message of {@code valueSize} bytes}. */
  static int mapEntrySize(byte[] key, int valueSize) {
    return lenFieldSize(1, key.length) + lenFieldSize(2, valueSize);
  }

  static void writeMapEntry(CodedOutputStream out, byte[] key, int valueSize) throws IOException {
    writeLenHeader(out, 1, mapEntrySize(key, valueSize));
    writeLenHeader(out, 1, key.length);
    out.writeRawBytes(key);
    writeLenHeader(out, 2, valueSize);
  }

  static int bytesFeatureSize(int valueLength) {
    return lenFieldSize(BYTES_LIST, lenFieldSize(1, valueLength));
  }

  static void writeBytesFeature(CodedOutputStream out, byte[] value, int off, int len)
      throws IOException {
    writeLenHeader(out, BYTES_LIST, lenFieldSize(1, len));
    writeLenHeader(out, 1, len);
    out.writeRawBytes(value, off, len);
  }

  static int int64FeatureSize(int[] values) {
    int packed = int64PackedSize(values);
    return lenFieldSize(INT64_LIST, values.length == 0 ? 0 : lenFieldSize(1, packed));
  }

  private static int int64PackedSize(int[] values) {
    int packed = 0;
    for (int v : values) {
      packed += CodedOutputStream.computeInt64SizeNoTag(v);
    }
    return packed;
  }

  static void writeInt64Feature(CodedOutputStream out, int[] values) throws IOException {
    int packed = int64PackedSize(values);
    writeLenHeader(out, INT64_LIST, values.length == 0 ? 0 : lenFieldSize(1, packed));
    if (values.length > 0) {
      writeLenHeader(out, 1, packed);
      for (int v : values) {
        out.writeInt64NoTag(v);
      }
    }
  }

  static int floatFeatureSize(int count) {
    return lenFieldSize(FLOAT_LIST, count == 0 ? 0 : lenFieldSize(1, 4 * count));
  }

  static void writeFloatFeature(CodedOutputStream out, float[] values, int off, int count)
      throws IOException {
    writeLenHeader(out, FLOAT_LIST, count == 0 ? 0 : lenFieldSize(1, 4 * count));
    if (count > 0) {
      writeLenHeader(out, 1, 4 * count);
      for (int i = off; i < off + count; i++) {
        out.writeFloatNoTag(values[i]);
      }
    }
  }
}
