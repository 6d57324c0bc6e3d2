package dev.synctalk.service.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.audio.AudioChunk;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionAudioStageTest {
    @TempDir
    Path dir;

    private Stage stage(AudioInbox inbox, String pace) throws Exception {
        TestStageContext context = new TestStageContext("session", dir) {
            @Override
            public <T> T attachment(String key, Class<T> type) {
                return type.cast(inbox);
            }
        };
        return new SessionAudioStage.Type().create(Configs.of(SessionAudioStage.Config.class,
                Map.of("pace", SessionAudioStage.Pace.valueOf(pace.toUpperCase()), "jitterMillis", 20)), context);
    }

    private record Out(List<AudioChunk> chunks, List<SessionTick> ticks) implements Emitter {
        Out() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        @Override
        public void emit(String port, Indexed message) {
            if (port.equals("samples")) {
                chunks.add((AudioChunk) message);
            } else {
                ticks.add((SessionTick) message);
            }
        }
    }

    @Test
    void realtimeFillsSilenceWithIdleFramesAndSpeechContinuesTheTimeline() throws Exception {
        AudioInbox inbox = new AudioInbox(16_000, 160_000);
        Stage source = stage(inbox, "realtime");
        Out out = new Out();
        assertTrue(source.produce(out));
        assertTrue(source.produce(out));
        inbox.offer(new float[1280]);
        assertTrue(source.produce(out));
        assertTrue(source.produce(out));
        inbox.end();
        assertFalse(source.produce(out), "the client ended its speech and all of it is out");
        assertEquals(List.of(SessionTick.Kind.IDLE, SessionTick.Kind.IDLE, SessionTick.Kind.SPEECH, SessionTick.Kind.SPEECH),
                out.ticks().stream().map(SessionTick::kind).toList());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, out.chunks().get(i).frameIndex(), "one timeline: frame indices run on through idle and speech");
            assertEquals(i, out.ticks().get(i).frameIndex());
            assertEquals(640, out.chunks().get(i).samples().length);
        }
        assertTrue(out.ticks().get(2).arrivedMicros() >= 0 && out.ticks().get(0).arrivedMicros() == -1);
    }

    @Test
    void asapWaitsForSpeechAndMakesNoIdleFrames() throws Exception {
        AudioInbox inbox = new AudioInbox(16_000, 160_000);
        Stage source = stage(inbox, "asap");
        inbox.offer(new float[1000]);
        inbox.end();
        Out out = new Out();
        while (source.produce(out)) {
            assertTrue(out.ticks().size() <= 2);
        }
        assertEquals(List.of(640, 360), out.chunks().stream().map(c -> c.samples().length).toList(),
                "the short last chunk ends the audio, as log-mel expects");
        assertTrue(out.ticks().stream().allMatch(SessionTick::speech));
    }
}
