package org.vidar.data;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TensorFlow's {@code tf.train} messages (tensorflow/core/example/{feature,example}.proto), declared
 * at run time with {@link com.google.protobuf.DescriptorProtos} so tests can build and parse records
 * with protobuf-java's own {@link DynamicMessage}, independently of Vidar's wire code. Also a few
 * helpers to write raw wire bytes by hand.
 */
final class TfProtos {
  static final Descriptor BYTES_LIST;
  static final Descriptor FLOAT_LIST;
  static final Descriptor INT64_LIST;
  static final Descriptor FEATURE;
  static final Descriptor FEATURES;
  static final Descriptor FEATURES_ENTRY;
  static final Descriptor FEATURE_LIST;
  static final Descriptor FEATURE_LISTS;
  static final Descriptor FEATURE_LISTS_ENTRY;
  static final Descriptor EXAMPLE;
  static final Descriptor SEQUENCE_EXAMPLE;

  static {
    FieldOptions packed = FieldOptions.newBuilder().setPacked(true).build();
    MessageOptions mapEntry = MessageOptions.newBuilder().setMapEntry(true).build();
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("tensorflow/core/example/example_for_tests.proto")
        .setPackage("tensorflow")
        .setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName("BytesList")
            .addField(field("value", 1, Label.LABEL_REPEATED, Type.TYPE_BYTES, null)))
        .addMessageType(DescriptorProto.newBuilder().setName("FloatList")
            .addField(field("value", 1, Label.LABEL_REPEATED, Type.TYPE_FLOAT, null).setOptions(packed)))
        .addMessageType(DescriptorProto.newBuilder().setName("Int64List")
            .addField(field("value", 1, Label.LABEL_REPEATED, Type.TYPE_INT64, null).setOptions(packed)))
        .addMessageType(DescriptorProto.newBuilder().setName("Feature")
            .addOneofDecl(OneofDescriptorProto.newBuilder().setName("kind"))
            .addField(field("bytes_list", 1, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.BytesList").setOneofIndex(0))
            .addField(field("float_list", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.FloatList").setOneofIndex(0))
            .addField(field("int64_list", 3, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.Int64List").setOneofIndex(0)))
        .addMessageType(DescriptorProto.newBuilder().setName("Features")
            .addNestedType(DescriptorProto.newBuilder().setName("FeatureEntry").setOptions(mapEntry)
                .addField(field("key", 1, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null))
                .addField(field("value", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.Feature")))
            .addField(field("feature", 1, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".tensorflow.Features.FeatureEntry")))
        .addMessageType(DescriptorProto.newBuilder().setName("FeatureList")
            .addField(field("feature", 1, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".tensorflow.Feature")))
        .addMessageType(DescriptorProto.newBuilder().setName("FeatureLists")
            .addNestedType(DescriptorProto.newBuilder().setName("FeatureListEntry").setOptions(mapEntry)
                .addField(field("key", 1, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null))
                .addField(field("value", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.FeatureList")))
            .addField(field("feature_list", 1, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".tensorflow.FeatureLists.FeatureListEntry")))
        .addMessageType(DescriptorProto.newBuilder().setName("Example")
            .addField(field("features", 1, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.Features")))
        .addMessageType(DescriptorProto.newBuilder().setName("SequenceExample")
            .addField(field("context", 1, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.Features"))
            .addField(field("feature_lists", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".tensorflow.FeatureLists")))
        .build();
    FileDescriptor fd;
    try {
      fd = FileDescriptor.buildFrom(file, new FileDescriptor[0]);
    } catch (DescriptorValidationException e) {
      throw new ExceptionInInitializerError(e);
    }
    BYTES_LIST = fd.findMessageTypeByName("BytesList");
    FLOAT_LIST = fd.findMessageTypeByName("FloatList");
    INT64_LIST = fd.findMessageTypeByName("Int64List");
    FEATURE = fd.findMessageTypeByName("Feature");
    FEATURES = fd.findMessageTypeByName("Features");
    FEATURES_ENTRY = FEATURES.findNestedTypeByName("FeatureEntry");
    FEATURE_LIST = fd.findMessageTypeByName("FeatureList");
    FEATURE_LISTS = fd.findMessageTypeByName("FeatureLists");
    FEATURE_LISTS_ENTRY = FEATURE_LISTS.findNestedTypeByName("FeatureListEntry");
    EXAMPLE = fd.findMessageTypeByName("Example");
    SEQUENCE_EXAMPLE = fd.findMessageTypeByName("SequenceExample");
  }

  private TfProtos() {}

  private static FieldDescriptorProto.Builder field(
      String name, int number, Label label, Type type, String typeName) {
    FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder()
        .setName(name).setNumber(number).setLabel(label).setType(type);
    if (typeName != null) {
      b.setTypeName(typeName);
    }
    return b;
  }

  private static FieldDescriptor f(Descriptor d, String name) {
    return d.findFieldByName(name);
  }

  // ---- building ----

  static DynamicMessage bytesFeature(byte[]... values) {
    DynamicMessage.Builder list = DynamicMessage.newBuilder(BYTES_LIST);
    for (byte[] v : values) {
      list.addRepeatedField(f(BYTES_LIST, "value"), ByteString.copyFrom(v));
    }
    return DynamicMessage.newBuilder(FEATURE).setField(f(FEATURE, "bytes_list"), list.build()).build();
  }

  static DynamicMessage bytesFeature(String value) {
    return bytesFeature(value.getBytes(StandardCharsets.UTF_8));
  }

  static DynamicMessage floatFeature(float... values) {
    DynamicMessage.Builder list = DynamicMessage.newBuilder(FLOAT_LIST);
    for (float v : values) {
      list.addRepeatedField(f(FLOAT_LIST, "value"), v);
    }
    return DynamicMessage.newBuilder(FEATURE).setField(f(FEATURE, "float_list"), list.build()).build();
  }

  static DynamicMessage int64Feature(long... values) {
    DynamicMessage.Builder list = DynamicMessage.newBuilder(INT64_LIST);
    for (long v : values) {
      list.addRepeatedField(f(INT64_LIST, "value"), v);
    }
    return DynamicMessage.newBuilder(FEATURE).setField(f(FEATURE, "int64_list"), list.build()).build();
  }

  /** A Features message whose map entries appear in the iteration order of {@code map}. */
  static DynamicMessage features(Map<String, DynamicMessage> map) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(FEATURES);
    map.forEach((k, v) -> b.addRepeatedField(f(FEATURES, "feature"),
        DynamicMessage.newBuilder(FEATURES_ENTRY)
            .setField(f(FEATURES_ENTRY, "key"), k)
            .setField(f(FEATURES_ENTRY, "value"), v)
            .build()));
    return b.build();
  }

  static DynamicMessage example(Map<String, DynamicMessage> map) {
    return DynamicMessage.newBuilder(EXAMPLE).setField(f(EXAMPLE, "features"), features(map)).build();
  }

  static DynamicMessage sequenceExample(
      Map<String, DynamicMessage> context, Map<String, List<DynamicMessage>> lists) {
    DynamicMessage.Builder fl = DynamicMessage.newBuilder(FEATURE_LISTS);
    lists.forEach((k, frames) -> {
      DynamicMessage.Builder list = DynamicMessage.newBuilder(FEATURE_LIST);
      for (DynamicMessage frame : frames) {
        list.addRepeatedField(f(FEATURE_LIST, "feature"), frame);
      }
      fl.addRepeatedField(f(FEATURE_LISTS, "feature_list"),
          DynamicMessage.newBuilder(FEATURE_LISTS_ENTRY)
              .setField(f(FEATURE_LISTS_ENTRY, "key"), k)
              .setField(f(FEATURE_LISTS_ENTRY, "value"), list.build())
              .build());
    });
    return DynamicMessage.newBuilder(SEQUENCE_EXAMPLE)
        .setField(f(SEQUENCE_EXAMPLE, "context"), features(context))
        .setField(f(SEQUENCE_EXAMPLE, "feature_lists"), fl.build())
        .build();
  }

  /** A LinkedHashMap from alternating keys and values, to keep entry order explicit. */
  static <V> Map<String, V> ordered(Object... kv) {
    Map<String, V> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      V v = (V) kv[i + 1];
      if (m.put((String) kv[i], v) != null) {
        throw new IllegalArgumentException("duplicate key " + kv[i]);
      }
    }
    return m;
  }

  // ---- parsing ----

  /** The entries of a Features message as a key-ordered map; fails on a repeated key. */
  static Map<String, DynamicMessage> featureMap(DynamicMessage features) {
    Map<String, DynamicMessage> m = new LinkedHashMap<>();
    for (Object o : (List<?>) features.getField(f(FEATURES, "feature"))) {
      DynamicMessage e = (DynamicMessage) o;
      String key = (String) e.getField(f(FEATURES_ENTRY, "key"));
      if (m.put(key, (DynamicMessage) e.getField(f(FEATURES_ENTRY, "value"))) != null) {
        throw new AssertionError("key written twice: " + key);
      }
    }
    return m;
  }

  static Map<String, List<DynamicMessage>> featureListMap(DynamicMessage lists) {
    Map<String, List<DynamicMessage>> m = new LinkedHashMap<>();
    for (Object o : (List<?>) lists.getField(f(FEATURE_LISTS, "feature_list"))) {
      DynamicMessage e = (DynamicMessage) o;
      String key = (String) e.getField(f(FEATURE_LISTS_ENTRY, "key"));
      DynamicMessage list = (DynamicMessage) e.getField(f(FEATURE_LISTS_ENTRY, "value"));
      List<DynamicMessage> frames = ((List<?>) list.getField(f(FEATURE_LIST, "feature"))).stream()
          .map(x -> (DynamicMessage) x).toList();
      if (m.put(key, frames) != null) {
        throw new AssertionError("feature list written twice: " + key);
      }
    }
    return m;
  }

  /** Which oneof case a Feature holds: bytes_list, float_list, int64_list, or null. */
  static String kind(DynamicMessage feature) {
    FieldDescriptor fd = feature.getOneofFieldDescriptor(FEATURE.getOneofs().get(0));
    return fd == null ? null : fd.getName();
  }

  static List<ByteString> bytesValues(DynamicMessage feature) {
    DynamicMessage list = (DynamicMessage) feature.getField(f(FEATURE, "bytes_list"));
    return ((List<?>) list.getField(f(BYTES_LIST, "value"))).stream().map(x -> (ByteString) x).toList();
  }

  static float[] floatValues(DynamicMessage feature) {
    DynamicMessage list = (DynamicMessage) feature.getField(f(FEATURE, "float_list"));
    List<?> v = (List<?>) list.getField(f(FLOAT_LIST, "value"));
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Float) v.get(i);
    }
    return out;
  }

  static long[] int64Values(DynamicMessage feature) {
    DynamicMessage list = (DynamicMessage) feature.getField(f(FEATURE, "int64_list"));
    return ((List<?>) list.getField(f(INT64_LIST, "value"))).stream().mapToLong(x -> (Long) x).toArray();
  }

  static DynamicMessage subMessage(DynamicMessage m, String field) {
    return (DynamicMessage) m.getField(f(m.getDescriptorForType(), field));
  }

  /** True when no message in the tree holds fields its descriptor does not know. */
  static boolean noUnknownFields(com.google.protobuf.Message m) {
    if (!m.getUnknownFields().asMap().isEmpty()) {
      return false;
    }
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      if (e.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values = e.getKey().isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
      for (Object v : values) {
        if (!noUnknownFields((com.google.protobuf.Message) v)) {
          return false;
        }
      }
    }
    return true;
  }

  // ---- raw wire bytes ----

  @FunctionalInterface
  interface WireWriter {
    void write(CodedOutputStream out) throws IOException;
  }

  /** Bytes written by hand with a CodedOutputStream. */
  static byte[] wire(WireWriter w) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bos);
      w.write(out);
      out.flush();
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code b} with 1 to {@code most} random bytes inserted at a random place, said in {@code what}. */
  static byte[] insertRandomBytes(byte[] b, java.util.SplittableRandom r, int most, StringBuilder what) {
    int at = r.nextInt(b.length + 1);
    byte[] ins = new byte[1 + r.nextInt(most)];
    r.nextBytes(ins);
    what.append(ins.length).append(" bytes inserted at ").append(at);
    return concat(java.util.Arrays.copyOf(b, at), ins, java.util.Arrays.copyOfRange(b, at, b.length));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      bos.writeBytes(p);
    }
    return bos.toByteArray();
  }
}
