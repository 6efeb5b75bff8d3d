package org.vidar.bench;

import java.util.List;
import java.util.Locale;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.EvalReport;
import org.vidar.inference.ModelEvaluation;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.train.Pretrain;
import org.vidar.train.TrainConfig;

/**
 * Joint pre-training alone, epoch by epoch: cumulative training seconds (validation scoring not
 * counted), videos/s, training loss and validation GAP@20 after every epoch, for choosing batch
 * size and learning rate by measurement and for comparing with a peer's per-epoch curve.
 *
 * <p>Run: {@code java -Xmx8g $(cat vidar-cli/target/jvm-options.txt) -cp
 * vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt) org.vidar.bench.PretrainBench
 * dir=/tmp/s25k [classes=300] [hidden=1024] [gating=true] [experts=2] [epochs=10] [batch=1024]
 * [lr=1e-2] [l2=1e-5] [trunkL2=1e-6]} where {@code dir} holds {@code vidar synth} output
 * ({@code video/train*}, {@code video/validate*}).
 */
public final class PretrainBench {
  private PretrainBench() {}

  public static void main(String[] args) throws Exception {
    String dir = BenchArgs.get(args, "dir", "/tmp/s25k");
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "300"));
    int hidden = Integer.parseInt(BenchArgs.get(args, "hidden", "1024"));
    boolean gating = Boolean.parseBoolean(BenchArgs.get(args, "gating", "true"));
    int experts = Integer.parseInt(BenchArgs.get(args, "experts", "2"));
    int epochs = Integer.parseInt(BenchArgs.get(args, "epochs", "10"));
    int batch = Integer.parseInt(BenchArgs.get(args, "batch", "1024"));
    double lr = Double.parseDouble(BenchArgs.get(args, "lr", "1e-2"));
    float l2 = Float.parseFloat(BenchArgs.get(args, "l2", "1e-5"));
    float trunkL2 = Float.parseFloat(BenchArgs.get(args, "trunkL2", "1e-6"));
    FeatureSpec spec = FeatureSpec.youtube8mVideo(classes);
    VideoDataset train = VideoDataset.load(DataPaths.resolve(List.of(dir + "/video/train*")), spec,
        BadRecordPolicy.FAIL, FrameSampling.ALL);
    VideoDataset validate = VideoDataset.load(DataPaths.resolve(List.of(dir + "/video/validate*")), spec,
        BadRecordPolicy.FAIL, FrameSampling.ALL);
    System.out.printf(Locale.ROOT, "kernels %s, %d cores; %d training, %d validation videos; hidden %d%s, "
            + "%d experts, batch %d, lr %s, l2 %s/%s%n", KernelProvider.get().name(),
        Runtime.getRuntime().availableProcessors(), train.size(), validate.size(), hidden, gating ? " gated" : "",
        experts, batch, lr, l2, trunkL2);
    ModelConfig mc = new ModelConfig(spec, hidden == 0 ? new TrunkConfig.VideoMlp(List.of(), false)
        : new TrunkConfig.VideoMlp(List.of(hidden), gating));
    TrainConfig config = new TrainConfig(1, epochs, batch, AdamConfig.of(lr), HeadConfig.fixed(experts, l2), 0,
        HeadConfig.fixed(experts, l2), TrainConfig.AUTO_HEAD_GROUPS, TrainConfig.stage1Optimizer(1), 0,
        org.vidar.optim.IRpropConfig.defaults(), trunkL2, 1024);
    System.out.printf(Locale.ROOT, "%5s %9s %9s %10s %8s%n", "epoch", "seconds", "videos/s", "train loss", "GAP@20");
    new Pretrain(config).run(new InMemoryPretrainData(train), mc, (epoch, result, seconds) -> {
      EvalReport r = ModelEvaluation.evaluate(result.model(), validate, 20, 1024);
      System.out.printf(Locale.ROOT, "%5d %9.2f %9.0f %10.4f %8.4f%n", epoch + 1, seconds,
          (epoch + 1L) * train.size() / seconds, result.loss(), r.gap());
    });
  }
}
