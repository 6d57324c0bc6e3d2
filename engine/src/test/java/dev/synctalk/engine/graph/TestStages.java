package dev.synctalk.engine.graph;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.Placement;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.StageType;
import java.nio.file.Path;
import java.util.List;

/** Tiny stage types for graph tests: a video-like and an audio-like source, transforms, sinks, a GPU stage. */
final class TestStages {
    private TestStages() {
    }

    /** What frame sinks accept: any picture, so Frame -> Picture edges type-check. */
    interface Picture extends Indexed {
    }

    record Frame(long frameIndex) implements Picture {
    }

    record Samples(long frameIndex) implements Indexed {
    }

    record Features(long frameIndex) implements Indexed {
    }

    enum Scale { POWER, LOG_POWER }

    record FrameSourceConfig(@Param(doc = "video file") Path path,
                             @Param(defaultValue = "25", min = 1, max = 240) int fps) {
    }

    record AudioSourceConfig(@Param Path path, @Param(defaultValue = "16000") int sampleRateHz) {
    }

    record MelConfig(@Param(doc = "FFT size in samples") int nFft,
                     @Param(defaultValue = "200") int hopSamples,
                     @Param(defaultValue = "1.0") double gain,
                     @Param(defaultValue = "power") Scale scale,
                     @Param(defaultValue = Param.NONE) List<Integer> bands,
                     @Param(defaultValue = "false") boolean center) {
        MelConfig {
            if (hopSamples > nFft) {
                throw new IllegalArgumentException("hop-samples " + hopSamples + " exceeds n-fft " + nFft);
            }
        }
    }

    record FrameSinkConfig(@Param String dir, @Param(defaultValue = "[]") List<String> tags) {
    }

    record FeatureSinkConfig(@Param(defaultValue = "\"mel.npy\"", output = true) Path file,
                             @Param(defaultValue = "1e-3", min = 0, max = 1) double epsilon) {
    }

    record RenderConfig(@Param(defaultValue = "1") long steps, @Param(defaultValue = "[0.5, 1]") List<Double> scales) {
    }

    record RelayConfig() {
    }

    /** A component without @Param: a programming error in a stage type. */
    record BrokenConfig(@Param(defaultValue = "1") int fine, int forgotten) {
    }

    static final StageType<FrameSourceConfig> FRAME_SOURCE = new TestType<>("frame-source", FrameSourceConfig.class,
            List.of(), List.of(PortSpec.of("frames", Frame.class, "decoded frames")), Placement.CPU);
    static final StageType<AudioSourceConfig> AUDIO_SOURCE = new TestType<>("audio-source", AudioSourceConfig.class,
            List.of(), List.of(PortSpec.of("samples", Samples.class, "audio per frame")), Placement.CPU);
    static final StageType<MelConfig> MEL = new TestType<>("mel", MelConfig.class,
            List.of(PortSpec.of("in", Samples.class, "")), List.of(PortSpec.of("windows", Features.class, "")), Placement.CPU);
    static final StageType<RelayConfig> RELAY = new TestType<>("relay", RelayConfig.class,
            List.of(PortSpec.of("in", Frame.class, "")), List.of(PortSpec.of("out", Frame.class, "")), Placement.CPU);
    static final StageType<FrameSinkConfig> FRAME_SINK = new TestType<>("frame-sink", FrameSinkConfig.class,
            List.of(PortSpec.of("in", Picture.class, "")), List.of(), Placement.CPU);
    static final StageType<FeatureSinkConfig> FEATURE_SINK = new TestType<>("feature-sink", FeatureSinkConfig.class,
            List.of(PortSpec.of("in", Features.class, "")), List.of(), Placement.CPU);
    static final StageType<RenderConfig> NERF_RENDER = new TestType<>("nerf-render", RenderConfig.class,
            List.of(PortSpec.of("frames", Frame.class, ""), PortSpec.of("feats", Features.class, "")),
            List.of(PortSpec.of("images", Frame.class, "")), Placement.GPU);
    static final StageType<BrokenConfig> BROKEN = new TestType<>("broken", BrokenConfig.class,
            List.of(), List.of(PortSpec.of("frames", Frame.class, "")), Placement.CPU);

    static StageRegistry registry() {
        return StageRegistry.of(FRAME_SOURCE, AUDIO_SOURCE, MEL, RELAY, FRAME_SINK, FEATURE_SINK, NERF_RENDER, BROKEN);
    }

    /** A stage type whose stages forward their single input to every output (sources emit nothing). */
    record TestType<C extends Record>(String name, Class<C> configType, List<PortSpec> inputs, List<PortSpec> outputs,
                                      Placement placement) implements StageType<C> {
        @Override
        public String description() {
            return "test stage " + name;
        }

        @Override
        public Stage create(C config, StageContext context) {
            List<PortSpec> outs = outputs;
            return new Stage() {
                @Override
                public boolean produce(Emitter out) {
                    return false;
                }

                @Override
                public void process(Inputs in, Emitter out) {
                    outs.forEach(port -> out.emit(port.name(), in.only()));
                }
            };
        }
    }

    /** For ServiceLoader discovery tests: a public no-arg type. */
    public static final class DiscoverableType implements StageType<RelayConfig> {
        public DiscoverableType() {
        }

        @Override
        public String name() {
            return "discoverable";
        }

        @Override
        public String description() {
            return "found through META-INF/services";
        }

        @Override
        public Class<RelayConfig> configType() {
            return RelayConfig.class;
        }

        @Override
        public List<PortSpec> inputs() {
            return List.of();
        }

        @Override
        public List<PortSpec> outputs() {
            return List.of(PortSpec.of("frames", Frame.class, ""));
        }

        @Override
        public Stage create(RelayConfig config, StageContext context) {
            return new Stage() {
                @Override
                public boolean produce(Emitter out) {
                    return false;
                }
            };
        }
    }
}
