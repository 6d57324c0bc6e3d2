package dev.synctalk.service.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientQueueTest {
    @Test
    void aLiveQueueDropsItsOldestAndNeverHoldsMoreThanItsCapacity() throws Exception {
        ClientQueue<Integer> q = new ClientQueue<>(3, ClientQueue.Policy.DROP_OLDEST, 1000, i -> 100);
        for (int i = 0; i < 10; i++) {
            q.put(i);
        }
        ClientQueue.Stats s = q.stats();
        assertEquals(3, s.maxQueued());
        assertEquals(300, s.maxQueuedBytes());
        assertEquals(7, s.dropped());
        assertEquals(Optional.of(7), q.take().toCompletableFuture().join(), "the client skips ahead to the present");
        q.close();
        assertEquals(Optional.of(8), q.take().toCompletableFuture().join(), "what waits is still delivered after close");
        q.take();
        assertEquals(Optional.empty(), q.take().toCompletableFuture().join());
    }

    @Test
    void anUploadQueueWaitsForItsClientThenGivesUpNamingTheStall() throws Exception {
        ClientQueue<Integer> q = new ClientQueue<>(1, ClientQueue.Policy.BLOCK, 200, i -> 1);
        q.put(1);
        Thread taker = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            q.take();
        });
        taker.start();
        q.put(2); // waits until the client took 1
        taker.join();
        assertEquals(0, q.stats().dropped());
        ClientQueue.ClientStalledException e = assertThrows(ClientQueue.ClientStalledException.class, () -> q.put(3));
        assertTrue(e.getMessage().contains("took nothing"), e.getMessage());
    }

    @Test
    void aViewerThatFallsBehindIsCutOff() throws Exception {
        ClientQueue<Integer> q = new ClientQueue<>(2, ClientQueue.Policy.DISCONNECT, 0, i -> 1);
        var pending = q.take();
        q.put(1);
        assertEquals(Optional.of(1), pending.toCompletableFuture().join(), "a waiting take gets the item at once");
        q.put(2);
        q.put(3);
        q.put(4);
        assertTrue(q.cancelled());
        assertEquals(Optional.empty(), q.take().toCompletableFuture().join());
    }
}
