package dev.synctalk.gpu.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's ordering and slot lifecycle, on a fake device whose slots behave as the CUDA ones must be used:
 * pinned staging that may not be touched while a frame is pending on it, results copied out of it, memory freed
 * once and only when idle.
 */
class FramePipelineTest {

    /** What happened, in order: "start 3 @1", "finish 3 @1", "close @1". */
    private final List<String> log = new ArrayList<>();
    private int slotsMade;

    /** A slot with "pinned memory": a buffer the "device" writes at start and the host copies at finish. */
    private final class FakeSlot implements FramePipeline.Slot<Integer, byte[]> {
        final int id = slotsMade++;
        final byte[] pinned = new byte[4];
        Integer pending;
        boolean freed;
        RuntimeException failStart;
        RuntimeException failFinish;

        @Override
        public void start(Integer frame) {
            if (freed) {
                throw new AssertionError("slot " + id + " used after it was freed");
            }
            if (pending != null) {
                throw new AssertionError("slot " + id + " restarted while frame " + pending + " is in flight");
            }
            if (failStart != null) {
                RuntimeException e = failStart;
                failStart = null;
                throw e;
            }
            java.util.Arrays.fill(pinned, frame.byteValue());
            pending = frame;
            log.add("start " + frame + " @" + id);
        }

        @Override
        public byte[] finish() {
            if (pending == null) {
                throw new AssertionError("slot " + id + " collected with nothing in flight");
            }
            log.add("finish " + pending + " @" + id);
            pending = null;
            if (failFinish != null) {
                throw failFinish;
            }
            return pinned.clone();
        }

        @Override
        public void close() {
            if (freed) {
                throw new AssertionError("slot " + id + " freed twice");
            }
            if (pending != null) {
                throw new AssertionError("slot " + id + " freed while frame " + pending + " is in flight");
            }
            freed = true;
            log.add("close @" + id);
        }
    }

    private final List<FakeSlot> slots = new ArrayList<>();

    private FramePipeline<Integer, byte[]> pipeline(int depth) {
        return new FramePipeline<>(depth, () -> {
            FakeSlot s = new FakeSlot();
            slots.add(s);
            return s;
        });
    }

    private static List<Long> indices(List<FramePipeline.Done<byte[]>> done) {
        return done.stream().map(FramePipeline.Done::frameIndex).toList();
    }

    @Test
    void framesComeOutInSubmissionOrderOneFrameBehind() {
        try (FramePipeline<Integer, byte[]> p = pipeline(2)) {
            assertEquals(List.of(), indices(p.submit(10, 10)));
            assertEquals(List.of(10L), indices(p.submit(11, 11)));
            List<FramePipeline.Done<byte[]>> done = p.submit(12, 12);
            assertEquals(List.of(11L), indices(done));
            assertArrayEquals(new byte[] {11, 11, 11, 11}, done.get(0).frame());
            assertEquals(1, p.inFlight());
            assertEquals(List.of(12L), indices(p.drain()));
            assertEquals(0, p.inFlight());
        }
    }

    @Test
    void theNextFrameIsStartedBeforeTheHostWaitsForThePreviousOne() {
        try (FramePipeline<Integer, byte[]> p = pipeline(2)) {
            for (int i = 0; i < 4; i++) {
                p.submit(i, i);
            }
            p.drain();
        }
        // frame i + 1 is queued on the device before frame i is waited for: the device never idles between frames
        for (int i = 0; i < 3; i++) {
            assertTrue(log.indexOf("start " + (i + 1) + " @" + ((i + 1) % 2)) < log.indexOf("finish " + i + " @" + (i % 2)),
                    log.toString());
        }
    }

    @Test
    void slotsAreReusedRoundRobinOnlyAfterTheirFrameWasCollected() {
        try (FramePipeline<Integer, byte[]> p = pipeline(3)) {
            for (int i = 0; i < 10; i++) {
                p.submit(i, i);
                assertTrue(p.inFlight() <= 2, "at most depth - 1 frames stay in flight between submits");
            }
            assertEquals(10, log.stream().filter(l -> l.startsWith("start")).count());
            p.drain();
        }
        assertEquals(3, slotsMade);
    }

    @Test
    void aStartThatFailsLeavesItsSlotFreeAndTheFramesBeforeIt() {
        try (FramePipeline<Integer, byte[]> p = pipeline(2)) {
            p.submit(0, 0);
            slots.get(1).failStart = new IllegalStateException("kernel launch failed");
            assertThrows(IllegalStateException.class, () -> p.submit(1, 1));
            assertEquals(1, p.inFlight());
            assertEquals(List.of(0L), indices(p.submit(1, 1)));
            assertEquals(List.of(1L), indices(p.drain()));
        }
    }

    @Test
    void closeWaitsForFramesInFlightThenFreesEverySlotOnce() {
        FramePipeline<Integer, byte[]> p = pipeline(2);
        p.submit(0, 0);
        p.submit(1, 1);
        p.submit(2, 2);
        p.close();
        p.close();
        assertTrue(log.indexOf("finish 2 @0") < log.indexOf("close @0"), log.toString());
        assertEquals(2, log.stream().filter(l -> l.startsWith("close")).count());
        assertTrue(slots.stream().allMatch(s -> s.freed));
        assertThrows(IllegalStateException.class, () -> p.submit(3, 3));
    }

    @Test
    void aFrameThatFailsOnTheDeviceIsReportedAndCloseStillFreesEverything() {
        FramePipeline<Integer, byte[]> p = pipeline(2);
        p.submit(0, 0);
        slots.get(0).failFinish = new IllegalStateException("an illegal address in frame 0");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.submit(1, 1));
        assertEquals("an illegal address in frame 0", e.getMessage());
        p.close();
        assertTrue(slots.stream().allMatch(s -> s.freed), log.toString());
    }

    @Test
    void framesGoInIncreasingOrder() {
        try (FramePipeline<Integer, byte[]> p = pipeline(2)) {
            p.submit(5, 5);
            assertThrows(IllegalArgumentException.class, () -> p.submit(5, 5));
            assertThrows(IllegalArgumentException.class, () -> p.submit(4, 4));
        }
    }

    @Test
    void aSlotThatCannotBeMadeClosesTheOnesMadeBefore() {
        int[] made = {0};
        Supplier<FramePipeline.Slot<Integer, byte[]>> factory = () -> {
            if (made[0]++ == 2) {
                throw new IllegalStateException("cuMemAllocHost failed");
            }
            FakeSlot s = new FakeSlot();
            slots.add(s);
            return s;
        };
        assertThrows(IllegalStateException.class, () -> new FramePipeline<>(3, factory));
        assertEquals(2, slots.size());
        assertTrue(slots.stream().allMatch(s -> s.freed));
    }
}
