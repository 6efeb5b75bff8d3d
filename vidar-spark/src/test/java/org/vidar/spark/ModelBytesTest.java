package org.vidar.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.vidar.model.VideoModel;

class ModelBytesTest {
  @Test
  void javaSerializationGivesBackTheSameModel() throws IOException, ClassNotFoundException {
    VideoModel m = SparkEngineContract.model();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(ModelBytes.of(m));
    }
    ModelBytes back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ModelBytes) in.readObject();
    }
    VideoModel d = back.model();
    assertEquals(m.config(), d.config());
    assertArrayEquals(m.trunkParams(), d.trunkParams());
    assertArrayEquals(m.headParams(), d.headParams());
    assertArrayEquals(m.allocation().expertsPerClass(), d.allocation().expertsPerClass());
  }
}
