package org.vidar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vidar.data.InputFile;
import org.vidar.math.KernelProvider;

/**
 * How a model was trained, enough to train it again: every training option ({@link TrainConfig}),
 * the engine, the data (files, sizes, videos read, records skipped), the kernels, JVM and CPU, and
 * when training started and ended. Written into {@code model.json} as structured JSON
 * ({@link #toJson}); {@link #fromJson} reads it back, so a model can be retrained from its own file
 * (the architecture is the file's {@code features} and {@code trunk}).
 *
 * <p>Reading binds JSON fields to these records and their validated constructors only (no
 * polymorphic types, no Java deserialization), so a hostile file can give wrong values, which the
 * constructors check, but never other classes.
 *
 * @param command what trained it, such as {@code vidar train}
 * @param engine where the stages ran
 * @param train every training option
 * @param data what it trained on
 * @param environment the machine and kernels
 * @param started when training started (ISO-8601)
 * @param finished when it ended (ISO-8601), null in a checkpoint written during the run
 */
public record Provenance(String command, EngineInfo engine, TrainConfig train, DataInfo data, Environment environment,
    String started, String finished) {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * The engine of the stages.
   *
   * @param name {@code spark} or {@code local}
   * @param master the Spark master URL (null on the local engine)
   * @param threads the local engine's threads (0 on Spark)
   * @param pretrainBuffer videos in the shuffle buffer of streamed pre-training (0 when pre-training
   *     reads from memory)
   */
  public record EngineInfo(String name, String master, int threads, int pretrainBuffer) {}

  /** One input file and its size in bytes as stored. */
  public record FileInfo(String path, long bytes) {
    /** The files as resolved. */
    public static List<FileInfo> of(List<InputFile> files) {
      List<FileInfo> out = new ArrayList<>(files.size());
      for (InputFile f : files) {
        out.add(new FileInfo(f.name(), f.length()));
      }
      return out;
    }
  }

  /**
   * The data of a run.
   *
   * @param train the training files
   * @param validate the validation files (empty when none)
   * @param vocabulary the vocabulary CSV, or null
   * @param skipBadRecords whether bad records were skipped rather than fatal
   * @param trainVideos training videos read (-1 until counted)
   * @param skippedRecords bad records skipped so far, training and validation
   */
  public record DataInfo(List<FileInfo> train, List<FileInfo> validate, String vocabulary, boolean skipBadRecords,
      long trainVideos, long skippedRecords) {
    public DataInfo {
      train = List.copyOf(train);
      validate = List.copyOf(validate);
    }
  }

  /**
   * The machine a model was trained on: SIMD and scalar kernels do not give bit-identical floats.
   *
   * @param kernels the dense kernels in use
   * @param java JVM version and vendor
   * @param os operating system name and version
   * @param arch CPU architecture
   * @param cpu CPU model, when the OS says
   * @param cores cores the JVM sees
   */
  public record Environment(String kernels, String java, String os, String arch, String cpu, int cores) {
    /** This JVM's. */
    public static Environment current() {
      return new Environment(KernelProvider.get().name(),
          System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
          System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"),
          cpuModel(), Runtime.getRuntime().availableProcessors());
    }

    private static String cpuModel() {
      Path info = Path.of("/proc/cpuinfo");
      try {
        if (Files.isReadable(info)) {
          for (String line : Files.readAllLines(info)) {
            if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
              return line.substring(line.indexOf(':') + 1).trim();
            }
          }
        }
      } catch (IOException | UncheckedIOException e) {
        // the model name is informative only
      }
      return "unknown";
    }
  }

  /** A run starting now on this machine. */
  public static Provenance start(String command, EngineInfo engine, TrainConfig train, DataInfo data) {
    return new Provenance(command, engine, train, data, Environment.current(), Instant.now().toString(), null);
  }

  /** This run so far, having read {@code trainVideos} training videos and skipped {@code skipped} records. */
  public Provenance counted(long trainVideos, long skipped) {
    DataInfo d = new DataInfo(data.train(), data.validate(), data.vocabulary(), data.skipBadRecords(), trainVideos,
        skipped);
    return new Provenance(command, engine, train, d, environment, started, finished);
  }

  /** This run ended now, having read {@code trainVideos} training videos and skipped {@code skipped} records. */
  public Provenance finish(long trainVideos, long skipped) {
    Provenance p = counted(trainVideos, skipped);
    return new Provenance(command, engine, train, p.data(), environment, started, Instant.now().toString());
  }

  /** As a JSON object, each option a field. */
  public ObjectNode toJson() {
    return JSON.valueToTree(this);
  }

  /**
   * Reads what {@link #toJson} wrote (from a model's {@code model.json}); {@code where} names the
   * file in the error.
   */
  public static Provenance fromJson(JsonNode node, String where) throws IOException {
    try {
      return JSON.treeToValue(node, Provenance.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IOException(where + ": the training provenance cannot be read: " + e.getMessage(), e);
    }
  }
}
