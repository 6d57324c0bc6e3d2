package dev.synctalk.gpu.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class Philox4x32Test {

    @Test
    void matchesRandom123KnownAnswerVectors() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox4x32.block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox4x32.block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox4x32.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void belowIsTheHighWordOfTheProductWithTheBound() {
        assertEquals(0, Philox4x32.below(0, 7));
        assertEquals(6, Philox4x32.below(-1, 7));
        assertEquals(3, Philox4x32.below(0x80000000, 7));
        assertEquals(262_143, Philox4x32.below(-1, 262_144));
        assertThrows(IllegalArgumentException.class, () -> Philox4x32.below(5, 0));
    }
}
