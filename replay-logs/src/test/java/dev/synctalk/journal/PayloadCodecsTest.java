package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import dev.synctalk.journal.TestMessages.Event;
import dev.synctalk.journal.TestMessages.Note;
import dev.synctalk.journal.TestMessages.Started;
import org.junit.jupiter.api.Test;

class PayloadCodecsTest {

    @Test
    void discoverFindsCodecsListedInServiceFiles() {
        PayloadCodecs discovered = PayloadCodecs.discover();
        // src/test/resources/META-INF/services/dev.synctalk.journal.PayloadCodec lists the note codec
        assertEquals("test.Note/1", discovered.forType(Note.class).typeName());
        assertEquals(Note.class, discovered.forName("test.Note/1").type());
    }

    @Test
    void forTypeFallsBackToTheNearestRegisteredSupertype() {
        PayloadCodecs codecs = PayloadCodecs.empty().register(new TestMessages.EventCodec());
        PayloadCodec<Started> codec = codecs.forType(Started.class);
        assertEquals("test.Event/1", codec.typeName());
        assertEquals("mel", new String(codec.encode(new Started("mel")), StandardCharsets.UTF_8));
        assertEquals(new Started("mel"), codecs.forName("test.Event/1").decode("mel".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void exactRegistrationWinsOverASupertypeAndLaterRegistrationWins() {
        PayloadCodec<Started> exact = new PayloadCodec<>() {
            @Override
            public String typeName() {
                return "test.Started/1";
            }

            @Override
            public Class<Started> type() {
                return Started.class;
            }

            @Override
            public byte[] encode(Started value) {
                return new byte[0];
            }

            @Override
            public Started decode(byte[] bytes) {
                return new Started("");
            }
        };
        PayloadCodecs codecs = PayloadCodecs.empty().register(new TestMessages.EventCodec()).register(exact);
        assertSame(exact, codecs.forType(Started.class));

        TestMessages.NoteCodec later = new TestMessages.NoteCodec();
        codecs.register(new TestMessages.NoteCodec()).register(later);
        assertSame(later, codecs.forType(Note.class));
        assertSame(later, codecs.forName("test.Note/1"));
    }

    @Test
    void missingCodecsAreNamedInTheError() {
        PayloadCodecs codecs = PayloadCodecs.empty().register(new TestMessages.NoteCodec());
        IllegalArgumentException byType = assertThrows(IllegalArgumentException.class,
                () -> codecs.forType(Started.class));
        assertTrue(byType.getMessage().contains(Started.class.getName()), byType.getMessage());
        assertTrue(byType.getMessage().contains(Note.class.getName()), "lists what is registered: " + byType.getMessage());

        IllegalArgumentException byName = assertThrows(IllegalArgumentException.class,
                () -> codecs.forName("media.VideoFrame/1"));
        assertTrue(byName.getMessage().contains("'media.VideoFrame/1'"), byName.getMessage());
    }
}
