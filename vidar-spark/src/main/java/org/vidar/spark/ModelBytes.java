package org.vidar.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vidar.data.DataPaths;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;

/**
 * A model as the bytes of its two model files (JSON and safetensors), so that Spark can broadcast
 * it: {@link VideoModel} is not {@link Serializable}. Each JVM decodes it once, on first use, through
 * the same validated reader as a model directory.
 */
public final class ModelBytes implements Serializable {
  private static final long serialVersionUID = 1L;
  private final byte[] config;
  private final byte[] tensors;
  private transient volatile VideoModel model;

  private ModelBytes(byte[] config, byte[] tensors) {
    this.config = config;
    this.tensors = tensors;
  }

  /** Encodes {@code model} (F32 tensors, so decoding gives back the same floats). */
  public static ModelBytes of(VideoModel model) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("vidar-model-");
      ModelFiles.save(dir.toString(), model, List.of(), ModelFiles.noProvenance());
      return new ModelBytes(Files.readAllBytes(dir.resolve(ModelFiles.CONFIG)),
          Files.readAllBytes(dir.resolve(ModelFiles.TENSORS)));
    } catch (IOException e) {
      throw new UncheckedIOException("encoding the model for broadcast", e);
    } finally {
      delete(dir);
    }
  }

  /** Bytes shipped. */
  public long size() {
    return (long) config.length + tensors.length;
  }

  /** The decoded model, shared by the tasks of this JVM. */
  public VideoModel model() {
    VideoModel m = model;
    if (m == null) {
      synchronized (this) {
        m = model;
        if (m == null) {
          m = decode();
          model = m;
        }
      }
    }
    return m;
  }

  private VideoModel decode() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("vidar-model-");
      Files.write(dir.resolve(ModelFiles.CONFIG), config);
      Files.write(dir.resolve(ModelFiles.TENSORS), tensors);
      return ModelFiles.load(dir.toString()).model();
    } catch (IOException e) {
      throw new UncheckedIOException("decoding a broadcast model", e);
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      DataPaths.deleteRecursively(dir.toString());
    } catch (IOException e) {
      // A leftover temporary folder is harmless; the result is what matters.
    }
  }
}
